package io.warden.registry.events;

import io.warden.registry.AgentId;
import io.warden.registry.ApprovalId;
import io.warden.registry.RiskTier;
import java.time.Instant;
import java.util.SortedSet;

/** An approval changed the data scopes and tools an agent holds; the sets are the agent's new grants. */
public record AgentGrantsChanged(
        AgentId agentId,
        ApprovalId approvalId,
        SortedSet<String> dataScopes,
        SortedSet<String> tools,
        RiskTier riskTier,
        String actorId,
        Instant at) {
}
