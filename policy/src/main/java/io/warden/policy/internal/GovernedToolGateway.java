package io.warden.policy.internal;

import io.warden.audit.problem.ProblemKind;
import io.warden.clinical.CollectionCatalog;
import io.warden.clinical.SearchHit;
import io.warden.clinical.SeriesVectors;
import io.warden.policy.GatewayDenied;
import io.warden.policy.GatewayRequest;
import io.warden.policy.GrantedTool;
import io.warden.policy.KillSwitches;
import io.warden.policy.ReasonCodes;
import io.warden.policy.ToolCall;
import io.warden.policy.ToolGateway;
import io.warden.policy.ToolOutcome;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.BackendKind;
import io.warden.registry.CatalogQueries;
import io.warden.registry.RegistryException;
import io.warden.registry.ToolView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link ToolGateway} every edge calls, over {@link GatewayService}'s one pipeline: a built-in tool's arguments
 * become a {@link GatewayRequest}; an MCP or HTTP tool's call passes as it is and is forwarded by the client of its
 * backend kind. Lists an agent's tools the way the pipeline would treat a call: granted, existing, and covered by no
 * kill switch. Thread-safe.
 */
final class GovernedToolGateway implements ToolGateway {

    private static final Logger log = LoggerFactory.getLogger(GovernedToolGateway.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final GatewayService gateway;
    private final AgentQueries agents;
    private final CatalogQueries catalog;
    private final KillSwitches killSwitches;
    private final PolicyCache cache;
    private final RagClassifier rag;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param changes registers a hook run whenever this instance applies a policy change (from any instance)
     */
    GovernedToolGateway(
            GatewayService gateway,
            AgentQueries agents,
            CatalogQueries catalog,
            KillSwitches killSwitches,
            PolicyCache cache,
            CollectionCatalog collections,
            Consumer<Runnable> changes) {
        this.gateway = gateway;
        this.agents = agents;
        this.catalog = catalog;
        this.killSwitches = killSwitches;
        this.cache = cache;
        this.rag = new RagClassifier(gateway, this::tool, collections, JSON);
        changes.accept(this::toolsChanged);
        killSwitches.onEngaged(this::toolsChanged);
        killSwitches.onReleased(this::toolsChanged);
    }

    private void toolsChanged() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.error("A tools-changed listener failed", e);
            }
        }
    }

    @Override
    public void onToolsChanged(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public List<GrantedTool> toolsFor(String clientId) {
        Optional<AgentView> found = cache.<AgentView>agent(clientId, () -> agents.findAgentByClientId(clientId));
        if (found.isEmpty() || found.get().status() != AgentStatus.ACTIVE) {
            return List.of();
        }
        AgentView agent = found.get();
        List<GrantedTool> tools = new ArrayList<>();
        for (String key : agent.tools()) {
            Optional<ToolView> tool = tool(key);
            if (tool.isEmpty() || hidden(agent, tool.get())) {
                continue;
            }
            ToolView view = tool.get();
            boolean builtin = view.target().kind() == BackendKind.BUILTIN;
            tools.add(new GrantedTool(
                    view.key(),
                    view.displayName(),
                    view.description(),
                    builtin ? builtinSchema(view) : storedSchema(view),
                    builtin ? new TreeSet<>(agent.dataScopes()) : new TreeSet<>(view.dataScopes())));
        }
        return List.copyOf(tools);
    }

    @Override
    public boolean visible(String clientId, String key) {
        Optional<AgentView> found = cache.<AgentView>agent(clientId, () -> agents.findAgentByClientId(clientId));
        if (found.isEmpty()
                || found.get().status() != AgentStatus.ACTIVE
                || !found.get().tools().contains(key)) {
            return false;
        }
        Optional<ToolView> tool = tool(key);
        return tool.isPresent() && !hidden(found.get(), tool.get());
    }

    /**
     * Hidden from the listing: a tool a GLOBAL, AGENT or TOOL switch covers, and an MCP or HTTP tool every data scope
     * of which a DATASET switch covers (no call to it could be served).
     */
    private boolean hidden(AgentView agent, ToolView tool) {
        KillSwitches.Covered covered = covered(agent, tool.key(), "");
        if (covered.global() || covered.agent() || covered.tool()) {
            return true;
        }
        if (tool.target().kind() == BackendKind.BUILTIN || tool.dataScopes().isEmpty()) {
            return false;
        }
        return tool.dataScopes().stream()
                .allMatch(scope -> covered(agent, tool.key(), scope).dataset());
    }

    private KillSwitches.Covered covered(AgentView agent, String tool, String dataset) {
        KillSwitches.Covered byId = killSwitches.covers(agent.id().toString(), tool, dataset);
        if (agent.clientId() == null) {
            return byId;
        }
        KillSwitches.Covered byClient = killSwitches.covers(agent.clientId(), tool, dataset);
        return new KillSwitches.Covered(
                byId.global() || byClient.global(),
                byId.agent() || byClient.agent(),
                byId.tool() || byClient.tool(),
                byId.dataset() || byClient.dataset());
    }

    /**
     * Through the gateway's cache, which every instance drops when the registry changes: the pipeline reads the tool
     * again inside its fence before deciding, so this read only chooses the route and the listing.
     */
    private Optional<ToolView> tool(String key) {
        return cache.<ToolView>tool(key, () -> {
            try {
                return Optional.of(catalog.tool(key));
            } catch (RegistryException.NotFound e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public ToolOutcome call(ToolCall call) {
        Optional<ToolView> tool = tool(call.tool());
        if (tool.isPresent() && tool.get().target().kind() != BackendKind.BUILTIN) {
            return gateway.callTool(call, tool.get());
        }
        // a built-in tool, or none: the built-in pipeline refuses an unknown tool after recording the refusal
        GatewayRequest request = request(call);
        if (call.tool().equals(BuiltinTools.RAG_CLASSIFY)) {
            Map<String, @Nullable Object> args = call.arguments();
            return rag.classify(
                    call,
                    request,
                    args.get("model") instanceof String model ? model : "",
                    args.get("modelName") instanceof String name ? name : null);
        }
        GatewayService.Result result = gateway.call(
                call.clientId(), call.tool(), request, call.edge(), call.traceId(), GatewayService.Presented.of(call));
        Map<String, Object> structured = structured(result);
        return new ToolOutcome(
                List.of(Map.of("type", "text", "text", summary(result))),
                structured,
                false,
                result.decision(),
                result.hits().size());
    }

    /**
     * A built-in tool's arguments as the pipeline takes them; an upload that is not base64 or too large is refused
     * naming its argument, and that refusal is audited as the pipeline audits every invalid call.
     */
    private GatewayRequest request(ToolCall call) {
        Map<String, @Nullable Object> args = call.arguments();
        String dataset = call.dataset() != null ? call.dataset() : string(args, "dataset");
        String purpose = call.purposeOfUse() != null
                ? call.purposeOfUse()
                : args.get("purposeOfUse") instanceof String given ? given : null;
        try {
            return new GatewayRequest(
                    string(args, "collection"),
                    dataset,
                    purpose,
                    args.get("text") instanceof String text ? text : null,
                    vector(args.get("vector")),
                    args.get("image") instanceof String image
                            ? BuiltinTools.decode("image", image, BuiltinTools.MAX_IMAGE_BYTES)
                            : null,
                    series(args.get("series")),
                    args.get("k") instanceof Number k ? k.intValue() : 10,
                    filter(args.get("filter")),
                    Boolean.TRUE.equals(args.get("weighted")),
                    BuiltinTools.aggregation(
                            "aggregation", args.get("aggregation") instanceof String name ? name : null));
        } catch (GatewayDenied denied) {
            gateway.refusedInvalid(
                    call.clientId(),
                    call.tool(),
                    dataset.isEmpty() ? null : clip(dataset),
                    purpose == null ? null : clip(purpose),
                    Objects.requireNonNullElse(denied.field(), "arguments"),
                    call.edge(),
                    call.traceId());
            throw denied;
        }
    }

    private static String clip(String value) {
        return value.length() <= 63 ? value : value.substring(0, 63);
    }

    private static SeriesVectors.@Nullable Series series(@Nullable Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> series)) {
            throw GatewayDenied.invalidField(
                    List.of(ReasonCodes.INVALID_REQUEST), "series", "series is an object: instances, or UIDs");
        }
        if (series.get("instances") instanceof List<?> instances) {
            List<String> base64 = new ArrayList<>(instances.size());
            for (int i = 0; i < instances.size(); i++) {
                if (!(instances.get(i) instanceof String text)) {
                    throw GatewayDenied.invalidField(
                            List.of(ReasonCodes.INVALID_REQUEST),
                            "series.instances[" + i + "]",
                            "series.instances[" + i + "] is a base64 string");
                }
                base64.add(text);
            }
            return BuiltinTools.instances("series.instances", base64);
        }
        return BuiltinTools.dicomWeb(
                series.get("source") instanceof String source ? source : null,
                series.get("studyUid") instanceof String study ? study : null,
                series.get("seriesUid") instanceof String uid ? uid : null);
    }

    /** The answer's evidence: the neighbours with their ids and scores, and the collection version searched. */
    static Map<String, Object> structured(GatewayService.Result result) {
        List<Map<String, Object>> hits = new ArrayList<>();
        for (SearchHit hit : result.hits()) {
            hits.add(Map.of("id", hit.id(), "score", hit.score(), "metadata", hit.metadata()));
        }
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("collection", result.collection());
        structured.put("collectionVersion", result.collectionVersion());
        structured.put("hits", hits);
        structured.put("k", result.k());
        structured.put("redacted", result.decision().obligations().redactFields());
        GatewayService.Verdict verdict = result.verdict();
        if (verdict != null) {
            Map<String, Object> classification = new LinkedHashMap<>();
            classification.put("label", verdict.label());
            classification.put("labelField", verdict.labelField());
            classification.put("weighted", verdict.weighted());
            classification.put(
                    "labels",
                    verdict.labels().stream()
                            .map(label -> Map.<String, Object>of("label", label.label(), "votes", label.votes()))
                            .toList());
            structured.put("label", verdict.label());
            structured.put("classification", classification);
        }
        return structured;
    }

    private static String summary(GatewayService.Result result) {
        GatewayService.Verdict verdict = result.verdict();
        String evidence = " from " + result.collection() + " version " + result.collectionVersion();
        if (verdict == null) {
            return result.hits().size() + " hits" + evidence;
        }
        return (verdict.label() == null ? "No label" : "Label " + verdict.label()) + " by "
                + result.hits().size() + " neighbours" + evidence;
    }

    private static String string(Map<String, @Nullable Object> args, String name) {
        return args.get(name) instanceof String value ? value : "";
    }

    private static float @Nullable [] vector(@Nullable Object value) {
        if (!(value instanceof List<?> list)) {
            return null;
        }
        float[] vector = new float[list.size()];
        for (int i = 0; i < vector.length; i++) {
            if (!(list.get(i) instanceof Number n)) {
                throw new GatewayDenied(
                        ProblemKind.INVALID, List.of(ReasonCodes.INVALID_REQUEST), "vector must hold numbers", 0);
            }
            vector[i] = n.floatValue();
        }
        return vector;
    }

    private static @Nullable Map<String, String> filter(@Nullable Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            return null;
        }
        Map<String, String> filter = new LinkedHashMap<>();
        map.forEach((k, v) -> filter.put(String.valueOf(k), String.valueOf(v)));
        return filter;
    }

    /** An MCP or HTTP tool's stored JSON Schema; one that does not parse is listed as accepting any object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> storedSchema(ToolView tool) {
        if (!tool.inputSchema().isBlank()) {
            try {
                Object parsed = JSON.readValue(tool.inputSchema(), Object.class);
                if (parsed instanceof Map<?, ?> map) {
                    return (Map<String, Object>) map;
                }
            } catch (JacksonException e) {
                log.warn("Tool {} has an input schema that is not JSON; listed as any object", tool.key());
            }
        }
        return Map.of("type", "object");
    }

    /** The JSON Schema of a built-in tool's arguments: what this tool takes, with its own bounds. */
    static Map<String, Object> builtinSchema(ToolView tool) {
        return BuiltinTools.schema(tool.key(), tool.maxK());
    }
}
