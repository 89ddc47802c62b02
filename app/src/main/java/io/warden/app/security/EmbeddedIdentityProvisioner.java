package io.warden.app.security;

import io.warden.registry.AgentView;
import io.warden.registry.IdentityProvisioner;
import io.warden.registry.SecretStore;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * Agents' identities in Warden's embedded OpenID provider: one client-credentials client per agent, named
 * {@code agent-<agent id>} unless the agent came with a client id. The secret is generated once, stored only
 * hashed in the provider and in plain text in the secret store, a folder readable by Warden's user alone
 * ({@code <secrets-dir>/<client id>.secret}), from which the owner's deployment takes it; it is never
 * logged. Disabling expires the secret (the token endpoint refuses the client); enabling lifts the expiry;
 * removing deletes the client, its authorizations and the stored secret.
 */
final class EmbeddedIdentityProvisioner implements IdentityProvisioner {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedIdentityProvisioner.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RegisteredClientRepository clients;
    private final PasswordEncoder encoder;
    private final JdbcClient jdbc;
    private final SecretStore secrets;
    private final Duration tokenTtl;
    private final Clock clock;

    EmbeddedIdentityProvisioner(RegisteredClientRepository clients, PasswordEncoder encoder, JdbcClient jdbc, SecretStore secrets,
            Duration tokenTtl, Clock clock) {
        this.clients = clients;
        this.encoder = encoder;
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.tokenTtl = tokenTtl;
        this.clock = clock;
    }

    @Override
    public String provision(AgentView agent) {
        String clientId = agent.clientId() != null ? agent.clientId() : "agent-" + agent.id();
        if (clients.findByClientId(clientId) == null) {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            secrets.put(clientId, secret);
            clients.save(AgentClients.client(clientId, agent.name(), secret, encoder, tokenTtl));
            log.info("Provisioned the identity {} for agent {}; its secret is in the secret store", clientId, agent.id());
        }
        return clientId;
    }

    @Override
    public void disable(AgentView agent) {
        jdbc.sql("update oauth2_registered_client set client_secret_expires_at = :now where client_id = :clientId")
                .param("now", Timestamp.from(clock.instant())).param("clientId", agent.clientId()).update();
    }

    @Override
    public void enable(AgentView agent) {
        jdbc.sql("update oauth2_registered_client set client_secret_expires_at = null where client_id = :clientId")
                .param("clientId", agent.clientId()).update();
    }

    @Override
    public void remove(AgentView agent) {
        jdbc.sql("""
                delete from oauth2_authorization where registered_client_id in
                    (select id from oauth2_registered_client where client_id = :clientId)""")
                .param("clientId", agent.clientId()).update();
        jdbc.sql("delete from oauth2_registered_client where client_id = :clientId").param("clientId", agent.clientId()).update();
        secrets.delete(agent.clientId());
    }
}
