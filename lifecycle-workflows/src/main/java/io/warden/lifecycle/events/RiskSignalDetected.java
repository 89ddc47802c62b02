package io.warden.lifecycle.events;

import io.warden.registry.AgentId;
import java.time.Instant;

/** The risk-signal rule fired for an agent: the application engages its kill switch, which opens an incident. */
public record RiskSignalDetected(AgentId agentId, String clientId, String reason, Instant at) {}
