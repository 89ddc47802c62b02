package io.warden.registry.events;

import io.warden.registry.AgentId;
import java.time.Instant;

/** An agent's descriptive metadata (name, purpose, model) changed; {@code version} is the new version. */
public record AgentUpdated(AgentId agentId, long version, String actorId, Instant at) {}
