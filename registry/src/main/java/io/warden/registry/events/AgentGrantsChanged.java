package io.warden.registry.events;

import io.warden.registry.AgentId;
import io.warden.registry.ApprovalId;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RiskTier;
import java.time.Instant;
import java.util.SortedSet;

/**
 * An approval changed the data scopes, tools or purposes of use an agent holds; the sets are the agent's new
 * grants, {@code phiApprovedScopes} the scopes it may read as PHI after the change.
 */
public record AgentGrantsChanged(
        AgentId agentId,
        ApprovalId approvalId,
        SortedSet<String> dataScopes,
        SortedSet<String> tools,
        SortedSet<PurposeOfUse> purposesOfUse,
        SortedSet<String> phiApprovedScopes,
        RiskTier riskTier,
        String actorId,
        Instant at) {}
