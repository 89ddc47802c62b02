package io.warden.registry.events;

import io.warden.registry.AgentId;
import io.warden.registry.ApprovalId;
import io.warden.registry.ApprovalKind;
import java.time.Instant;

/** Someone asked for an agent's registration or a change of its grants to be approved. */
public record ApprovalRequested(
        ApprovalId approvalId,
        AgentId agentId,
        ApprovalKind kind,
        boolean requiresCompliance,
        String actorId,
        Instant at) {}
