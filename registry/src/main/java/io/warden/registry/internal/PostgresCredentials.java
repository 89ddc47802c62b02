package io.warden.registry.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.registry.Actor;
import io.warden.registry.ActorType;
import io.warden.registry.AgentCredential;
import io.warden.registry.AgentCredentials;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.CredentialKind;
import io.warden.registry.CredentialLedger;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.ExpiringCredential;
import io.warden.registry.IssuedCredential;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/**
 * The credential ledger in PostgreSQL ({@code agent_credential}) and the credential use cases on it. Each
 * change is audited in the same transaction (an audit write that fails undoes the change). Thread-safe.
 */
@Transactional
class PostgresCredentials implements CredentialLedger, AgentCredentials {

    static final String RULE_OWN_CREDENTIALS = "owner-manages-own-agents-credentials";
    private static final String COLUMNS =
            """
            c.id, c.agent_id, c.client_id, c.kind, c.provider_key_id, c.fingerprint, c.verifier, c.certificate_pem,
            c.not_before, c.expires_at, c.created_at, c.created_by, c.revoke_after, c.revoked_at, c.owner_notified_at
            """; // ends in a line break, so that the clause appended after it stays a separate word

    private final JdbcClient jdbc;
    private final AgentQueries agents;
    private final Directory directory;
    private final AuditLog audit;
    private final Clock clock;
    private final IdGenerator ids;

    PostgresCredentials(
            JdbcClient jdbc, AgentQueries agents, Directory directory, AuditLog audit, Clock clock, IdGenerator ids) {
        this.jdbc = jdbc;
        this.agents = agents;
        this.directory = directory;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
    }

    @Override
    public AgentCredential record(AgentId agent, String clientId, IssuedCredential credential, Actor actor) {
        UUID id = ids.generateId();
        Instant now = clock.instant();
        jdbc.sql("""
                insert into agent_credential (id, agent_id, client_id, kind, provider_key_id, fingerprint, verifier,
                    certificate_pem, not_before, expires_at, created_at, created_by)
                values (:id, :agent, :client, :kind, :keyId, :fingerprint, :verifier, :pem, :notBefore, :expiresAt, :now, :by)""")
                .param("id", id)
                .param("agent", agent.value())
                .param("client", clientId)
                .param("kind", credential.kind().name())
                .param("keyId", credential.providerKeyId())
                .param("fingerprint", credential.fingerprint())
                .param("verifier", credential.verifier())
                .param("pem", credential.certificatePem())
                .param("notBefore", Timestamp.from(credential.notBefore()))
                .param("expiresAt", Timestamp.from(credential.expiresAt()))
                .param("now", Timestamp.from(now))
                .param("by", actor.id())
                .update();
        audit.append(AuditEvent.builder("agent.credential_issued", auditActor(actor), target(id))
                .agent(agent.toString())
                .detail("kind", credential.kind())
                .detail("fingerprint", credential.fingerprint())
                .detail("expiresAt", credential.expiresAt())
                .build());
        return find(id).orElseThrow();
    }

    @Override
    @Transactional(readOnly = true)
    public List<AgentCredential> usable(String clientId, Instant at) {
        return jdbc
                .sql("select " + COLUMNS
                        + " from agent_credential c where c.client_id = :client and c.revoked_at is null")
                .param("client", clientId)
                .query(PostgresCredentials::credential)
                .list()
                .stream()
                .filter(credential -> credential.usableAt(at))
                .toList();
    }

    @Override
    @Transactional(readOnly = true)
    public boolean manages(String clientId) {
        return jdbc.sql("select exists (select 1 from agent_credential where client_id = :client)")
                .param("client", clientId)
                .query(Boolean.class)
                .single();
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<AgentCredential> find(UUID id) {
        return jdbc.sql("select " + COLUMNS + " from agent_credential c where c.id = :id")
                .param("id", id)
                .query(PostgresCredentials::credential)
                .optional();
    }

    @Override
    @Transactional(readOnly = true)
    public List<AgentCredential> secretsExpiringBefore(Instant before) {
        return jdbc.sql("select " + COLUMNS + """
                 from agent_credential c join agent a on a.id = c.agent_id
                where c.kind = 'SECRET' and c.revoked_at is null and c.revoke_after is null and c.expires_at < :before
                  and a.status <> 'RETIRED' and a.client_id = c.client_id
                order by c.expires_at""")
                .param("before", Timestamp.from(before))
                .query(PostgresCredentials::credential)
                .list();
    }

    @Override
    @Transactional(readOnly = true)
    public List<AgentCredential> overlapEndedBy(Instant at) {
        return jdbc.sql("select " + COLUMNS + """
                 from agent_credential c where c.revoked_at is null and c.revoke_after <= :at order by c.revoke_after""")
                .param("at", Timestamp.from(at))
                .query(PostgresCredentials::credential)
                .list();
    }

    @Override
    public void replaced(UUID id, Instant revokeAfter) {
        jdbc.sql("update agent_credential set revoke_after = :after where id = :id and revoked_at is null")
                .param("after", Timestamp.from(revokeAfter))
                .param("id", id)
                .update();
    }

    @Override
    public void revoked(UUID id, Instant at) {
        jdbc.sql("update agent_credential set revoked_at = :at where id = :id and revoked_at is null")
                .param("at", Timestamp.from(at))
                .param("id", id)
                .update();
    }

    @Override
    public boolean ownerNotified(UUID id, Instant at) {
        return jdbc.sql(
                                "update agent_credential set owner_notified_at = :at where id = :id and owner_notified_at is null")
                        .param("at", Timestamp.from(at))
                        .param("id", id)
                        .update()
                == 1;
    }

    @Override
    @Transactional(readOnly = true)
    public List<ExpiringCredential> expiringBefore(Instant before) {
        record Row(
                UUID id,
                AgentId agent,
                String agentName,
                String ownerId,
                CredentialKind kind,
                @Nullable String fingerprint,
                Instant expiresAt,
                @Nullable Instant notified) {}
        List<Row> rows = jdbc.sql("""
                select c.id, c.agent_id, a.name, a.owner_id, c.kind, c.fingerprint, c.expires_at, c.owner_notified_at
                  from agent_credential c join agent a on a.id = c.agent_id
                 where c.revoked_at is null and c.revoke_after is null and c.expires_at < :before
                   and a.status <> 'RETIRED' and a.client_id = c.client_id
                 order by c.expires_at""")
                .param("before", Timestamp.from(before))
                .query((rs, n) -> new Row(
                        rs.getObject(1, UUID.class),
                        AgentId.of(rs.getString(2)),
                        rs.getString(3),
                        rs.getString(4),
                        CredentialKind.valueOf(rs.getString(5)),
                        rs.getString(6),
                        rs.getTimestamp(7).toInstant(),
                        instant(rs.getTimestamp(8))))
                .list();
        return rows.stream()
                .map(row -> new ExpiringCredential(
                        row.id(),
                        row.agent(),
                        row.agentName(),
                        row.ownerId(),
                        directory
                                .findUser(row.ownerId())
                                .map(DirectoryUser::displayName)
                                .orElse(row.ownerId()),
                        row.kind(),
                        row.fingerprint(),
                        row.expiresAt(),
                        row.notified()))
                .toList();
    }

    @Override
    @Transactional(readOnly = true)
    public List<AgentCredential> list(AgentId agentId, Actor actor) {
        AgentView agent = agents.get(agentId);
        boolean reader = actor.has(Role.ADMIN) || actor.has(Role.SECOPS) || actor.has(Role.COMPLIANCE);
        if (!reader && !ownsOrIs(agent, actor)) {
            throw new RegistryException.AccessRuleViolated(
                    RULE_OWN_CREDENTIALS,
                    "Only the agent itself, its owner, ADMIN, SECOPS or COMPLIANCE may list agent " + agent.id()
                            + "'s credentials");
        }
        return jdbc.sql("select " + COLUMNS
                        + " from agent_credential c where c.agent_id = :agent order by c.created_at")
                .param("agent", agentId.value())
                .query(PostgresCredentials::credential)
                .list();
    }

    @Override
    public AgentCredential addCertificate(AgentId agentId, String certificatePem, Actor actor) {
        AgentView agent = agents.get(agentId);
        if (!ownsOrIs(agent, actor) && !actor.has(Role.ADMIN)) {
            throw new RegistryException.AccessRuleViolated(
                    RULE_OWN_CREDENTIALS,
                    "Only the agent itself, its owner or an ADMIN may register a certificate for agent " + agent.id());
        }
        if (agent.clientId() == null || agent.status() == AgentStatus.RETIRED) {
            throw new RegistryException.Conflict(
                    "agent-has-no-identity",
                    "Agent " + agent.id() + " has no identity to add a certificate to (status " + agent.status() + ")");
        }
        IssuedCredential certificate = Certificates.parse(certificatePem, clock.instant());
        boolean known = jdbc.sql("""
                select exists (select 1 from agent_credential where client_id = :client and fingerprint = :fingerprint
                               and revoked_at is null and kind = 'CERTIFICATE')""")
                .param("client", agent.clientId())
                .param("fingerprint", certificate.fingerprint())
                .query(Boolean.class)
                .single();
        if (known) {
            throw new RegistryException.Conflict(
                    "certificate-already-registered",
                    "This certificate (x5t#S256 " + certificate.fingerprint() + ") is already registered for agent "
                            + agent.id());
        }
        return record(agentId, agent.clientId(), certificate, actor);
    }

    @Override
    public void remove(AgentId agentId, UUID credentialId, Actor actor) {
        AgentView agent = agents.get(agentId);
        boolean may = actor.has(Role.ADMIN)
                || actor.has(Role.SECOPS)
                || (actor.type() == ActorType.PERSON && agent.ownerId().equals(actor.id()));
        if (!may) {
            throw new RegistryException.AccessRuleViolated(
                    RULE_OWN_CREDENTIALS,
                    "Only the agent's owner, ADMIN or SECOPS may remove a credential of agent " + agent.id());
        }
        AgentCredential credential = find(credentialId)
                .filter(found -> found.agentId().equals(agentId))
                .orElseThrow(() -> new RegistryException.NotFound("credential", credentialId));
        if (credential.revokedAt() != null) {
            return;
        }
        revoked(credentialId, clock.instant());
        audit.append(AuditEvent.builder("agent.credential_revoked", auditActor(actor), target(credentialId))
                .agent(agentId.toString())
                .detail("kind", credential.kind())
                .detail("fingerprint", credential.fingerprint())
                .detail("reason", "removed")
                .build());
    }

    private static boolean ownsOrIs(AgentView agent, Actor actor) {
        return switch (actor.type()) {
            case PERSON -> agent.ownerId().equals(actor.id()) && actor.has(Role.OWNER);
            case AGENT -> actor.id().equals(agent.clientId()) && agent.status() == AgentStatus.ACTIVE;
            case SYSTEM -> true;
        };
    }

    private static AuditActor auditActor(Actor actor) {
        return switch (actor.type()) {
            case PERSON -> AuditActor.person(actor.id());
            case AGENT -> AuditActor.agent(actor.id(), null);
            case SYSTEM -> AuditActor.system(actor.id().substring("system:".length()));
        };
    }

    private static AuditTarget target(UUID id) {
        return new AuditTarget("agent-credential", id.toString());
    }

    private static AgentCredential credential(ResultSet rs, int row) throws SQLException {
        return new AgentCredential(
                rs.getObject("id", UUID.class),
                AgentId.of(rs.getString("agent_id")),
                rs.getString("client_id"),
                CredentialKind.valueOf(rs.getString("kind")),
                rs.getString("provider_key_id"),
                rs.getString("fingerprint"),
                rs.getString("verifier"),
                rs.getString("certificate_pem"),
                rs.getTimestamp("not_before").toInstant(),
                rs.getTimestamp("expires_at").toInstant(),
                rs.getTimestamp("created_at").toInstant(),
                rs.getString("created_by"),
                instant(rs.getTimestamp("revoke_after")),
                instant(rs.getTimestamp("revoked_at")),
                instant(rs.getTimestamp("owner_notified_at")));
    }

    private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
