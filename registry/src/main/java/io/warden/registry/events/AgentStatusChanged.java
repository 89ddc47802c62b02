package io.warden.registry.events;

import io.warden.registry.AgentId;
import io.warden.registry.AgentStatus;
import java.time.Instant;

/** An agent moved from one status to another; {@code reason} is what the actor gave. */
public record AgentStatusChanged(
        AgentId agentId, AgentStatus from, AgentStatus to, String reason, String actorId, Instant at) {}
