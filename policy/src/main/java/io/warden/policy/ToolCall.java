package io.warden.policy;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One tool call as an edge received it.
 *
 * @param clientId     the authenticated agent's client id (from the validated token, never from the call)
 * @param tool         the Warden tool key
 * @param arguments    the tool's arguments, as JSON values (maps, lists, strings, numbers, booleans)
 * @param dataset      the data scope the call reads; may be omitted when the tool has exactly one
 * @param purposeOfUse an HL7 v3 PurposeOfUse code
 * @param traceId      the caller's trace or correlation id, if it sent one
 * @param edge         where the call came in
 * @param onBehalfOf   the person the call serves, when the agent's token was delegated (never from the call's body)
 * @param justification why the caller asks (required for emergency treatment, ETREAT)
 * @param approval     the id of a person's approval of this call's exact arguments, when it resubmits with one
 */
public record ToolCall(
        String clientId,
        String tool,
        Map<String, @Nullable Object> arguments,
        @Nullable String dataset,
        @Nullable String purposeOfUse,
        @Nullable String traceId,
        Edge edge,
        @Nullable OnBehalfOf onBehalfOf,
        @Nullable String justification,
        @Nullable String approval) {

    public enum Edge {
        REST,
        MCP,
        /** A decision asked by a policy enforcement point over AuthZEN: decided and recorded, never forwarded. */
        AUTHZEN
    }

    public ToolCall {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(edge, "edge");
        arguments = arguments == null ? Map.of() : arguments;
    }

    /** A call that is the agent's alone, with no justification and no approval. */
    public ToolCall(
            String clientId,
            String tool,
            Map<String, @Nullable Object> arguments,
            @Nullable String dataset,
            @Nullable String purposeOfUse,
            @Nullable String traceId,
            Edge edge) {
        this(clientId, tool, arguments, dataset, purposeOfUse, traceId, edge, null, null, null);
    }
}
