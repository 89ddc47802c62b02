package io.warden.registry;

import java.time.Instant;
import java.util.SortedSet;
import org.jspecify.annotations.Nullable;

/**
 * A request to change what an agent may touch, and its decision. The approver is never the requester nor
 * the agent's owner; an approval that touches PHI or highly confidential data needs a compliance officer.
 *
 * @param ownersSinceRequest the agent's owner when the approval was requested and every owner since; none of
 *                           them may decide it (empty for approvals decided before owners were recorded)
 * @param requiresCompliance whether a COMPLIANCE officer must decide it: set at request time, raised (never
 *                           lowered) when a scope it touches is reclassified, and again at decision time
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
        SortedSet<PurposeOfUse> addPurposes,
        SortedSet<PurposeOfUse> removePurposes,
        String justification,
        boolean requiresCompliance,
        String requestedBy,
        Instant requestedAt,
        SortedSet<String> ownersSinceRequest,
        @Nullable String decidedBy,
        @Nullable Instant decidedAt,
        @Nullable String decisionReason,
        long version) {}
