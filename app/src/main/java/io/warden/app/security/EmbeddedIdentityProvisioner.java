package io.warden.app.security;

import io.warden.registry.Actor;
import io.warden.registry.AgentCredential;
import io.warden.registry.AgentView;
import io.warden.registry.CredentialLedger;
import io.warden.registry.IdentityProvisioner;
import io.warden.registry.IssuedCredential;
import io.warden.registry.SecretStore;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Agents' identities in Warden's embedded OpenID provider: one client-credentials client per agent, named
 * {@code agent-<agent id>} unless the agent came with a client id. Each secret is generated here, recorded in
 * the {@link CredentialLedger} only as a verifier with its lifetime ({@code warden.credentials.secret-lifetime}),
 * and kept in plain text only in the secret store, a folder readable by Warden's user alone
 * ({@code <secrets-dir>/<client id>.secret}), from which the owner's deployment takes it; it is never logged.
 * The token endpoint checks a presented secret against the ledger ({@link LedgerClientSecrets}), so a rotated
 * secret keeps working through its overlap and a secret past its lifetime is refused.
 * Disabling sets the client's {@code client_secret_expires_at} to now — which stands for "disabled" and is
 * never used for the lifetime — and enabling lifts it; removing deletes the client, its authorizations and the
 * stored secret.
 */
final class EmbeddedIdentityProvisioner implements IdentityProvisioner {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedIdentityProvisioner.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Actor SYSTEM = Actor.system("identity");

    private final RegisteredClientRepository clients;
    private final PasswordEncoder encoder;
    private final JdbcClient jdbc;
    private final SecretStore secrets;
    private final CredentialLedger ledger;
    private final Duration tokenTtl;
    private final Duration secretLifetime;
    private final Clock clock;

    EmbeddedIdentityProvisioner(
            RegisteredClientRepository clients,
            PasswordEncoder encoder,
            JdbcClient jdbc,
            SecretStore secrets,
            CredentialLedger ledger,
            Duration tokenTtl,
            Duration secretLifetime,
            Clock clock) {
        this.clients = clients;
        this.encoder = encoder;
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.ledger = ledger;
        this.tokenTtl = tokenTtl;
        this.secretLifetime = secretLifetime;
        this.clock = clock;
    }

    @Override
    public String provision(AgentView agent) {
        String clientId = agent.clientId() != null ? agent.clientId() : "agent-" + agent.id();
        if (clients.findByClientId(clientId) == null) {
            String secret = newSecret();
            var client = AgentClients.client(clientId, agent.name(), secret, encoder, tokenTtl);
            String verifier = Objects.requireNonNull(client.getClientSecret());
            Instant now = clock.instant();
            // recorded first, so that the client never exists without its lifetime (an unrecorded one is a legacy
            // client)
            ledger.record(
                    agent.id(),
                    clientId,
                    IssuedCredential.secret(null, verifier, now, now.plus(secretLifetime)),
                    SYSTEM);
            clients.save(client);
            storeWhenCommitted(clientId, secret);
            log.info(
                    "Provisioned the identity {} for agent {}; its secret is in the secret store",
                    clientId,
                    agent.id());
        }
        return clientId;
    }

    /**
     * A new secret beside the current one; the rotation gives the old one its overlap. The client's own
     * {@code client_secret} follows the newest, so that nothing reading the provider's table alone finds a
     * stale one; {@code client_secret_expires_at} (disabled or not) is left as it is.
     */
    @Override
    public Optional<AgentCredential> rotate(AgentView agent) {
        if (agent.clientId() == null || clients.findByClientId(agent.clientId()) == null) {
            return Optional.empty();
        }
        String secret = newSecret();
        String verifier = encoder.encode(secret);
        jdbc.sql("update oauth2_registered_client set client_secret = :verifier where client_id = :clientId")
                .param("verifier", verifier)
                .param("clientId", agent.clientId())
                .update();
        Instant now = clock.instant();
        AgentCredential issued = ledger.record(
                agent.id(),
                agent.clientId(),
                IssuedCredential.secret(null, verifier, now, now.plus(secretLifetime)),
                SYSTEM);
        storeWhenCommitted(agent.clientId(), secret);
        log.info(
                "Rotated the secret of {} for agent {}; the new one is in the secret store",
                agent.clientId(),
                agent.id());
        return Optional.of(issued);
    }

    /** Nothing to do here: the token endpoint stops accepting a secret the ledger marks revoked. */
    @Override
    public void revoke(AgentView agent, AgentCredential credential) {}

    @Override
    public void disable(AgentView agent) {
        jdbc.sql("update oauth2_registered_client set client_secret_expires_at = :now where client_id = :clientId")
                .param("now", Timestamp.from(clock.instant()))
                .param("clientId", agent.clientId())
                .update();
    }

    @Override
    public void enable(AgentView agent) {
        jdbc.sql("update oauth2_registered_client set client_secret_expires_at = null where client_id = :clientId")
                .param("clientId", agent.clientId())
                .update();
    }

    @Override
    public void remove(AgentView agent) {
        String clientId = agent.clientId();
        if (clientId == null) {
            throw new IllegalStateException("Agent " + agent.id() + " has no client to remove");
        }
        jdbc.sql("""
                delete from oauth2_authorization where registered_client_id in
                    (select id from oauth2_registered_client where client_id = :clientId)""").param("clientId", agent.clientId()).update();
        jdbc.sql("delete from oauth2_registered_client where client_id = :clientId")
                .param("clientId", clientId)
                .update();
        secrets.delete(clientId);
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Writes the secret to the store as the last step before the transaction commits: a failure before it
     * rolls the new secret back with the store untouched (the deployment keeps a secret that works), and a
     * store that cannot be written fails the transaction rather than leaving a secret nobody holds.
     */
    private void storeWhenCommitted(String clientId, String secret) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            secrets.put(clientId, secret);
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void beforeCommit(boolean readOnly) {
                secrets.put(clientId, secret);
            }
        });
    }
}
