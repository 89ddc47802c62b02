package io.warden.registry;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * Criteria for listing agents; a null criterion matches every agent.
 *
 * @param ownerId   the owner's directory id
 * @param dataScope the key of a data scope the agent holds
 * @param text      words found in the agent's name or purpose (case-insensitive)
 * @param sort      the order of the answer; newest first when null
 */
public record AgentFilter(
        @Nullable AgentStatus status,
        @Nullable AgentKind kind,
        @Nullable String ownerId,
        @Nullable String dataScope,
        @Nullable String text,
        @Nullable Sort sort) {

    /** How a list of agents is ordered. */
    @Schema(name = "AgentSort")
    public enum Sort {
        /** newest registration first */
        NEWEST,
        /** by name, A to Z */
        NAME,
        /** by status, then name */
        STATUS,
        /** most recently changed first */
        UPDATED
    }

    public AgentFilter(
            @Nullable AgentStatus status,
            @Nullable AgentKind kind,
            @Nullable String ownerId,
            @Nullable String dataScope,
            @Nullable String text) {
        this(status, kind, ownerId, dataScope, text, null);
    }

    public static AgentFilter any() {
        return new AgentFilter(null, null, null, null, null, null);
    }
}
