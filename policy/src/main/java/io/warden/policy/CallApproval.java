package io.warden.policy;

import java.net.URI;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A call parked for a person's approval, as its approvers see it: the exact arguments ({@code shown}; an image or
 * vector by its size only), who made it and for whom, and where it stands.
 *
 * @param agentName     the agent's display name when the call was parked
 * @param phi           the call's data scope holds PHI: only a compliance officer decides it
 * @param personId      the person an on-behalf-of call serves, from its delegated token; {@code null} otherwise
 * @param personName    that person's display name in the directory, or their id when the directory has none
 * @param state         {@code PENDING}, {@code APPROVED}, {@code DENIED}, {@code USED} or {@code EXPIRED}; a pending
 *                      or approved call past its expiry reads {@code EXPIRED}
 * @param cannotDecide  why the person reading it may not decide it, or {@code null} when they may
 * @param link          the portal page where it is decided
 */
public record CallApproval(
        String id,
        String state,
        String clientId,
        String agentId,
        String agentName,
        String tool,
        String dataset,
        boolean phi,
        @Nullable String purposeOfUse,
        String digest,
        Map<String, @Nullable Object> shown,
        @Nullable String personId,
        @Nullable String personName,
        @Nullable String justification,
        Instant createdAt,
        Instant expiresAt,
        @Nullable String decidedBy,
        @Nullable Instant decidedAt,
        @Nullable String reason,
        @Nullable Instant usedAt,
        URI link,
        @Nullable String cannotDecide) {

    public CallApproval {
        shown = Collections.unmodifiableMap(new LinkedHashMap<>(shown));
    }
}
