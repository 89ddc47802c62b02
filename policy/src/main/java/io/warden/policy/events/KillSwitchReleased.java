package io.warden.policy.events;

import io.warden.policy.KillSwitchScope;
import java.time.Instant;
import java.util.UUID;

/** A kill switch was released. */
public record KillSwitchReleased(
        UUID id, KillSwitchScope scope, String target, String reason, String actorId, Instant at) {}
