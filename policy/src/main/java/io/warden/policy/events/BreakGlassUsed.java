package io.warden.policy.events;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The gateway allowed an emergency access (break-the-glass, ETREAT): its review must follow. Published in its own
 * transaction after the call's decision record is durable and before anything is forwarded, so the event publication
 * registry holds it even if Warden stops right after.
 *
 * @param id            the use's id, which its review takes (a redelivered event opens no second review)
 * @param agentId       the agent's registry id
 * @param agentName     the agent's display name, for the reviewers
 * @param personId      the directory id of the person the agent acted for
 * @param requestDigest the SHA-256 digest of the call's arguments (never the arguments)
 */
public record BreakGlassUsed(
        UUID id,
        String clientId,
        String agentId,
        String agentName,
        String personId,
        String tool,
        String dataset,
        String justification,
        String requestDigest,
        @Nullable String traceId,
        Instant at) {}
