package io.warden.registry.events;

import io.warden.registry.EgressHostView;
import java.time.Instant;

/** A host pattern was added to ({@code added}) or removed from the egress allowlist. */
public record EgressHostChanged(EgressHostView entry, boolean added, String actorId, Instant at) {}
