package io.warden.registry.events;

import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import java.time.Instant;
import java.util.SortedSet;

/** An agent was registered, in DRAFT, with the scopes and tools its owner asks for. */
public record AgentRegistered(
        AgentId agentId,
        String name,
        AgentKind kind,
        String ownerId,
        SortedSet<String> requestedScopes,
        SortedSet<String> requestedTools,
        String actorId,
        Instant at) {
}
