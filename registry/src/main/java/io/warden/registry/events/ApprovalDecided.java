package io.warden.registry.events;

import io.warden.registry.AgentId;
import io.warden.registry.ApprovalId;
import io.warden.registry.ApprovalKind;
import io.warden.registry.ApprovalStatus;
import java.time.Instant;

/** An approval was approved or rejected, by {@code actorId}, with a reason. */
public record ApprovalDecided(
        ApprovalId approvalId,
        AgentId agentId,
        ApprovalKind kind,
        ApprovalStatus decision,
        String reason,
        String actorId,
        Instant at) {}
