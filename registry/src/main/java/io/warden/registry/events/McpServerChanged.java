package io.warden.registry.events;

import io.warden.registry.McpServerView;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An MCP server was registered ({@code before} null), changed, or removed ({@code after} null). The views carry the
 * names of secrets, never their values.
 */
public record McpServerChanged(
        String key,
        @Nullable McpServerView before,
        @Nullable McpServerView after,
        String actorId,
        Instant at) {}
