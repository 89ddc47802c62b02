package io.warden.registry.events;

import io.warden.registry.AgentId;
import java.time.Instant;

/** An agent passed to a new accountable owner. */
public record AgentOwnerChanged(
        AgentId agentId, String previousOwnerId, String newOwnerId, String reason, String actorId, Instant at) {}
