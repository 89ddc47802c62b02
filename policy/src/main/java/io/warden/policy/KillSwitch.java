package io.warden.policy;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A kill switch and its history.
 *
 * @param target             the agent's client id, tool key or dataset key; {@code *} for GLOBAL
 * @param releaseRequestedBy for a GLOBAL switch, who asked for the release that a second person must confirm
 */
public record KillSwitch(UUID id, KillSwitchScope scope, String target, boolean active, String engagedBy, Instant engagedAt,
        String reason, @Nullable String releaseRequestedBy, @Nullable String releasedBy, @Nullable Instant releasedAt,
        @Nullable String releaseReason) {
}
