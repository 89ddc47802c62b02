package io.warden.policy.internal;

import io.warden.audit.problem.ProblemKind;
import io.warden.clinical.SearchHit;
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
            Consumer<Runnable> changes) {
        this.gateway = gateway;
        this.agents = agents;
        this.catalog = catalog;
        this.killSwitches = killSwitches;
        this.cache = cache;
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
        Map<String, @Nullable Object> args = call.arguments();
        GatewayRequest request = new GatewayRequest(
                string(args, "collection"),
                call.dataset() != null ? call.dataset() : string(args, "dataset"),
                call.purposeOfUse() != null
                        ? call.purposeOfUse()
                        : args.get("purposeOfUse") instanceof String purpose ? purpose : null,
                args.get("text") instanceof String text ? text : null,
                vector(args.get("vector")),
                args.get("k") instanceof Number k ? k.intValue() : 10,
                filter(args.get("filter")),
                null);
        GatewayService.Result result = gateway.call(call.clientId(), call.tool(), request, call.edge(), call.traceId());
        List<Map<String, Object>> hits = new ArrayList<>();
        for (SearchHit hit : result.hits()) {
            hits.add(Map.of("id", hit.id(), "score", hit.score(), "metadata", hit.metadata()));
        }
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("hits", hits);
        structured.put("k", result.k());
        structured.put("redacted", result.decision().obligations().redactFields());
        return new ToolOutcome(
                List.of(Map.of("type", "text", "text", hits.size() + " hits")),
                structured,
                false,
                result.decision(),
                hits.size());
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

    /** The JSON Schema of a built-in tool's arguments, with the dataset and purpose the gateway decides on. */
    static Map<String, Object> builtinSchema(ToolView tool) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("collection", Map.of("type", "string", "maxLength", 63));
        properties.put("dataset", Map.of("type", "string", "maxLength", 63));
        properties.put("purposeOfUse", Map.of("type", "string", "maxLength", 20));
        properties.put("text", Map.of("type", "string", "maxLength", 4000));
        properties.put("vector", Map.of("type", "array", "items", Map.of("type", "number")));
        properties.put("k", Map.of("type", "integer", "minimum", 1, "maximum", tool.maxK()));
        properties.put("filter", Map.of("type", "object", "additionalProperties", Map.of("type", "string")));
        return Map.of("type", "object", "properties", properties, "required", List.of("collection", "dataset"));
    }
}
