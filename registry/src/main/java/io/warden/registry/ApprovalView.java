package io.warden.registry;

import java.time.Instant;
import java.util.SortedSet;
import org.jspecify.annotations.Nullable;

/**
 * A request to change what an agent may touch, and its decision. The approver is never the requester nor
 * the agent's owner; an approval that touches PHI or highly confidential data needs a compliance officer.
 */
public record ApprovalView(
        ApprovalId id,
        AgentId agentId,
        ApprovalKind kind,
        ApprovalStatus status,
        SortedSet<String> addScopes,
        SortedSet<String> removeScopes,
        SortedSet<String> addTools,
        SortedSet<String> removeTools,
        String justification,
        boolean requiresCompliance,
        String requestedBy,
        Instant requestedAt,
        @Nullable String decidedBy,
        @Nullable Instant decidedAt,
        @Nullable String decisionReason,
        long version) {
}
