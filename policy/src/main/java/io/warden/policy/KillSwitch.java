package io.warden.policy;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A kill switch and its history.
 *
 * @param target             what it stops, resolved when it was engaged: the agent's id, the tool's key or the data
 *                           scope's key; {@code *} for GLOBAL
 * @param targetName         the agent's name, or the tool's or data scope's display name, as they were when engaged;
 *                           null for GLOBAL and for a switch stored before targets were resolved that names nothing
 * @param targetClientId     for an AGENT switch, the agent's client id when engaged (null before it had an identity)
 * @param resolved           whether the target names an existing agent, tool or data scope (always true for GLOBAL);
 *                           an unresolved switch is still enforced on the string it names, and is reported
 * @param releaseRequestedBy for a GLOBAL switch, who asked for the release that a second person must confirm
 */
public record KillSwitch(
        UUID id,
        KillSwitchScope scope,
        String target,
        @Nullable String targetName,
        @Nullable String targetClientId,
        boolean resolved,
        boolean active,
        String engagedBy,
        Instant engagedAt,
        String reason,
        @Nullable String releaseRequestedBy,
        @Nullable String releasedBy,
        @Nullable Instant releasedAt,
        @Nullable String releaseReason) {

    /** How people see the target: the name, with the client id for an agent; the raw target when there is no name. */
    public String label() {
        if (scope == KillSwitchScope.GLOBAL) {
            return "everything";
        }
        if (targetName == null) {
            return target;
        }
        return targetClientId == null ? targetName : targetName + " (" + targetClientId + ")";
    }
}
