package io.warden.policy.internal.backend;

import io.warden.registry.McpServerView;
import java.util.Optional;

/** The registered upstream MCP servers, by key. */
@FunctionalInterface
public interface McpServers {

    Optional<McpServerView> find(String key);

    static McpServers none() {
        return key -> Optional.empty();
    }
}
