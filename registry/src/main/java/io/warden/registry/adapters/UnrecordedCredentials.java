package io.warden.registry.adapters;

import io.warden.registry.Actor;
import io.warden.registry.AgentCredential;
import io.warden.registry.AgentId;
import io.warden.registry.CredentialLedger;
import io.warden.registry.ExpiringCredential;
import io.warden.registry.IssuedCredential;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A ledger that keeps nothing, for adapters used without Warden's database (command-line tools, adapter tests). */
enum UnrecordedCredentials implements CredentialLedger {
    INSTANCE;

    @Override
    public AgentCredential record(AgentId agent, String clientId, IssuedCredential credential, Actor actor) {
        // nothing is kept, so the id only has to be stable for the same credential
        UUID id = UUID.nameUUIDFromBytes((clientId + "|" + credential.providerKeyId() + "|" + credential.expiresAt())
                .getBytes(StandardCharsets.UTF_8));
        return new AgentCredential(
                id,
                agent,
                clientId,
                credential.kind(),
                credential.providerKeyId(),
                credential.fingerprint(),
                credential.verifier(),
                credential.certificatePem(),
                credential.notBefore(),
                credential.expiresAt(),
                credential.notBefore(),
                actor.id(),
                null,
                null,
                null);
    }

    @Override
    public List<AgentCredential> usable(String clientId, Instant at) {
        return List.of();
    }

    @Override
    public boolean manages(String clientId) {
        return false;
    }

    @Override
    public Optional<AgentCredential> find(UUID id) {
        return Optional.empty();
    }

    @Override
    public List<AgentCredential> secretsExpiringBefore(Instant before) {
        return List.of();
    }

    @Override
    public List<AgentCredential> overlapEndedBy(Instant at) {
        return List.of();
    }

    @Override
    public void replaced(UUID id, Instant revokeAfter) {}

    @Override
    public void revoked(UUID id, Instant at) {}

    @Override
    public boolean ownerNotified(UUID id, Instant at) {
        return false;
    }

    @Override
    public List<ExpiringCredential> expiringBefore(Instant before) {
        return List.of();
    }
}
