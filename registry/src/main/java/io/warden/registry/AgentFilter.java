package io.warden.registry;

import org.jspecify.annotations.Nullable;

/**
 * Criteria for listing agents; a null criterion matches every agent.
 *
 * @param ownerId   the owner's directory id
 * @param dataScope the key of a data scope the agent holds
 * @param text      words found in the agent's name or purpose (case-insensitive)
 */
public record AgentFilter(
        @Nullable AgentStatus status,
        @Nullable AgentKind kind,
        @Nullable String ownerId,
        @Nullable String dataScope,
        @Nullable String text) {

    public static AgentFilter any() {
        return new AgentFilter(null, null, null, null, null);
    }
}
