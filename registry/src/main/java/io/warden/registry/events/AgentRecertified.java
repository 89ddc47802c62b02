package io.warden.registry.events;

import io.warden.registry.AgentId;
import java.time.Instant;

/** The owner attested that the agent and its scopes are still needed; the next recertification is due at {@code recertifyBy}. */
public record AgentRecertified(AgentId agentId, Instant recertifyBy, String actorId, Instant at) {}
