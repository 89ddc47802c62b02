package io.warden.policy.events;

import io.warden.policy.KillSwitchScope;
import java.time.Instant;
import java.util.UUID;

/** A kill switch was engaged: the workflows start an incident, the directory adapter disables the identity. */
public record KillSwitchEngaged(
        UUID id, KillSwitchScope scope, String target, String reason, String actorId, Instant at) {}
