package io.warden.registry.events;

import io.warden.registry.AgentId;
import java.time.Instant;

/** An identity (OAuth2 client id) was provisioned for the agent. */
public record AgentIdentityAssigned(AgentId agentId, String clientId, String actorId, Instant at) {}
