package io.warden.registry;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The record of every credential agents' clients hold, for the identity providers that issue them and the
 * rotation that renews them. Writes take part in the caller's transaction when there is one. Thread-safe.
 */
public interface CredentialLedger {

    /** Records a credential just issued for {@code agent}'s client {@code clientId}. */
    AgentCredential record(AgentId agent, String clientId, IssuedCredential credential, Actor actor);

    /** The client's credentials a provider may accept at {@code at} (see {@link AgentCredential#usableAt}). */
    List<AgentCredential> usable(String clientId, Instant at);

    /** Whether the ledger holds any credential for the client (a client it holds none for predates it). */
    boolean manages(String clientId);

    Optional<AgentCredential> find(UUID id);

    /** Current (neither replaced nor revoked) secrets that expire before {@code before}: rotation's work. */
    List<AgentCredential> secretsExpiringBefore(Instant before);

    /** Replaced credentials whose overlap ended by {@code at} and that are not yet revoked. */
    List<AgentCredential> overlapEndedBy(Instant at);

    /** Marks a credential replaced: it stays usable until {@code revokeAfter}. */
    void replaced(UUID id, Instant revokeAfter);

    /** Marks a credential revoked at {@code at}. */
    void revoked(UUID id, Instant at);

    /** Marks the owner told about the credential's expiry; false when someone else marked it first. */
    boolean ownerNotified(UUID id, Instant at);

    /** Current credentials of live agents expiring before {@code before}, soonest first. */
    List<ExpiringCredential> expiringBefore(Instant before);
}
