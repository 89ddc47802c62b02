package io.warden.registry;

import java.util.EnumSet;
import java.util.Set;

/**
 * The agent status machine: DRAFT → PENDING_APPROVAL → ACTIVE ⇄ SUSPENDED → RETIRED.
 *
 * <p>A rejected registration returns to DRAFT so the owner can correct and resubmit it. Any status but
 * RETIRED may be retired (a dormant ACTIVE agent is retired directly); RETIRED is final.
 */
public enum AgentStatus {
    DRAFT,
    PENDING_APPROVAL,
    ACTIVE,
    SUSPENDED,
    RETIRED;

    /** The statuses this one may move to. */
    public Set<AgentStatus> successors() {
        return switch (this) {
            case DRAFT -> EnumSet.of(PENDING_APPROVAL, RETIRED);
            case PENDING_APPROVAL -> EnumSet.of(ACTIVE, DRAFT, RETIRED);
            case ACTIVE -> EnumSet.of(SUSPENDED, RETIRED);
            case SUSPENDED -> EnumSet.of(ACTIVE, RETIRED);
            case RETIRED -> EnumSet.noneOf(AgentStatus.class);
        };
    }

    public boolean canMoveTo(AgentStatus target) {
        return successors().contains(target);
    }
}
