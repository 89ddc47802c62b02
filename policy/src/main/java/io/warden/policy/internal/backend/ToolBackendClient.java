package io.warden.policy.internal.backend;

import io.warden.registry.BackendKind;
import io.warden.registry.ToolView;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Forwards one permitted call to a tool's backend. Implementations: {@link McpToolBackendClient} (MCP),
 * {@link HttpToolBackendClient} (HTTP); the built-in tools stay in the gateway. The gateway picks the client by
 * {@code tool.target().kind()}. Implementations are thread-safe.
 */
public interface ToolBackendClient {

    BackendKind kind();

    /**
     * Blocking; honours interruption (the gateway cancels a call a kill switch now covers by interrupting it).
     *
     * @param deadline how long the call may still take; the tool's own timeout applies when it is shorter
     * @throws BackendFailure when the backend could not be asked or its answer cannot be used; a tool error the
     *     backend reports is an answer ({@link BackendAnswer#toolError()}), not a failure
     */
    BackendAnswer call(
            ToolView tool, Map<String, @Nullable Object> arguments, Duration deadline, @Nullable String traceId)
            throws BackendFailure;
}
