package io.warden.registry.events;

import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import io.warden.registry.PurposeOfUse;
import java.time.Instant;
import java.util.SortedSet;

/** An agent was registered, in DRAFT, with the scopes, tools and purposes of use its owner asks for. */
public record AgentRegistered(
        AgentId agentId,
        String name,
        AgentKind kind,
        String ownerId,
        SortedSet<String> requestedScopes,
        SortedSet<String> requestedTools,
        SortedSet<PurposeOfUse> requestedPurposes,
        String actorId,
        Instant at) {}
