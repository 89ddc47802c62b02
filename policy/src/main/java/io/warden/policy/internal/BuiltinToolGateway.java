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
import io.warden.registry.CatalogQueries;
import io.warden.registry.RegistryException;
import io.warden.registry.ToolView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ToolGateway} over the built-in retrieval tools: arguments become a {@link GatewayRequest} and pass
 * {@link GatewayService}'s pipeline. Tools with other backends are refused as unknown until their backends are
 * wired in.
 */
final class BuiltinToolGateway implements ToolGateway {

    static final List<String> BUILTIN = List.of("image-search", "text-search", "cohort-search", "classify");

    private final GatewayService gateway;
    private final AgentQueries agents;
    private final CatalogQueries catalog;
    private final KillSwitches killSwitches;
    private final PolicyChanges changes;

    BuiltinToolGateway(
            GatewayService gateway,
            AgentQueries agents,
            CatalogQueries catalog,
            KillSwitches killSwitches,
            PolicyChanges changes) {
        this.gateway = gateway;
        this.agents = agents;
        this.catalog = catalog;
        this.killSwitches = killSwitches;
        this.changes = changes;
    }

    @Override
    public List<GrantedTool> toolsFor(String clientId) {
        Optional<AgentView> found = agents.findAgentByClientId(clientId);
        if (found.isEmpty() || found.get().status() != AgentStatus.ACTIVE) {
            return List.of();
        }
        AgentView agent = found.get();
        List<GrantedTool> tools = new ArrayList<>();
        for (String key : agent.tools()) {
            if (hidden(agent, key)) {
                continue;
            }
            tool(key)
                    .ifPresent(tool -> tools.add(new GrantedTool(
                            tool.key(),
                            tool.displayName(),
                            tool.description(),
                            schema(tool),
                            new TreeSet<>(agent.dataScopes()))));
        }
        return List.copyOf(tools);
    }

    private boolean hidden(AgentView agent, String tool) {
        KillSwitches.Covered byId = killSwitches.covers(agent.id().toString(), tool, "");
        KillSwitches.Covered byClient =
                agent.clientId() == null ? byId : killSwitches.covers(agent.clientId(), tool, "");
        return byId.global() || byId.agent() || byId.tool() || byClient.agent();
    }

    private Optional<ToolView> tool(String key) {
        try {
            return Optional.of(catalog.tool(key));
        } catch (RegistryException.NotFound e) {
            return Optional.empty();
        }
    }

    @Override
    public ToolOutcome call(ToolCall call) {
        if (!BUILTIN.contains(call.tool())) {
            throw new GatewayDenied(
                    ProblemKind.FORBIDDEN, List.of(ReasonCodes.UNKNOWN_TOOL), "Unknown tool " + call.tool(), 0);
        }
        Map<String, @Nullable Object> args = call.arguments();
        GatewayRequest request = new GatewayRequest(
                string(args, "collection"),
                call.dataset() == null ? "" : call.dataset(),
                call.purposeOfUse(),
                args.get("text") instanceof String text ? text : null,
                vector(args.get("vector")),
                args.get("k") instanceof Number k ? k.intValue() : 10,
                filter(args.get("filter")),
                null);
        GatewayService.Result result = gateway.call(call.clientId(), call.tool(), request);
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

    /** The JSON Schema of a built-in tool's arguments, with the dataset and purpose the gateway decides on. */
    static Map<String, Object> schema(ToolView tool) {
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

    @Override
    public void onToolsChanged(Runnable listener) {
        killSwitches.onEngaged(listener);
        // grants, agent status, tools: every instance applies every change, so each hears of every one
        changes.onApplied(listener);
    }
}
