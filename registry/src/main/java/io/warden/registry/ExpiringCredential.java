package io.warden.registry;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A current credential that expires soon, with the names a person recognises (the agent's, its owner's).
 *
 * @param ownerName the owner's display name, or their directory id when the directory no longer knows them
 */
public record ExpiringCredential(
        UUID credentialId,
        AgentId agentId,
        String agentName,
        String ownerId,
        String ownerName,
        CredentialKind kind,
        @Nullable String fingerprint,
        Instant expiresAt,
        @Nullable Instant ownerNotifiedAt) {}
