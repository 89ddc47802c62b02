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
 */
public record ToolCall(
        String clientId,
        String tool,
        Map<String, @Nullable Object> arguments,
        @Nullable String dataset,
        @Nullable String purposeOfUse,
        @Nullable String traceId,
        Edge edge) {

    public enum Edge {
        REST,
        MCP
    }

    public ToolCall {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(edge, "edge");
        arguments = arguments == null ? Map.of() : arguments;
    }
}
