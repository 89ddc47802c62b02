package io.warden.policy.internal.backend;

import io.warden.registry.BackendKind;
import io.warden.registry.ToolView;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Forwards one permitted call to a tool's backend. Implementations: MCP, HTTP; built-in tools stay in the gateway. */
public interface ToolBackendClient {

    BackendKind kind();

    /** Blocking; honours interruption (the gateway cancels a call a kill switch now covers by interrupting it). */
    BackendAnswer call(
            ToolView tool, Map<String, @Nullable Object> arguments, Duration deadline, @Nullable String traceId)
            throws BackendFailure;
}
