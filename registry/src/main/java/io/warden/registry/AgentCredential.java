package io.warden.registry;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One credential of an agent's client as the ledger holds it.
 *
 * @param revokeAfter set when a newer credential replaced this one: it keeps working until then (the overlap
 *                    that lets the agent's deployment pick up the new one), and is revoked after it
 * @param revokedAt   when it was revoked; a revoked credential is never accepted again
 * @param ownerNotifiedAt when the owner was told that it expires soon (once per credential)
 */
public record AgentCredential(
        UUID id,
        AgentId agentId,
        String clientId,
        CredentialKind kind,
        @Nullable String providerKeyId,
        @Nullable String fingerprint,
        @Nullable String verifier,
        @Nullable String certificatePem,
        Instant notBefore,
        Instant expiresAt,
        Instant createdAt,
        String createdBy,
        @Nullable Instant revokeAfter,
        @Nullable Instant revokedAt,
        @Nullable Instant ownerNotifiedAt) {

    /** Whether a provider may accept it at {@code at}: in its validity, not revoked and not past its overlap. */
    public boolean usableAt(Instant at) {
        return revokedAt == null
                && !at.isBefore(notBefore)
                && at.isBefore(expiresAt)
                && (revokeAfter == null || at.isBefore(revokeAfter));
    }
}
