package io.warden.lifecycle.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.lifecycle.CredentialRotations;
import io.warden.registry.AgentCredential;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import io.warden.registry.CredentialKind;
import io.warden.registry.CredentialLedger;
import io.warden.registry.CredentialPolicy;
import io.warden.registry.ExpiringCredential;
import io.warden.registry.IdentityProvisioner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps agents' credentials from lapsing: renews every secret within {@code rotate-before} of its expiry
 * (the provider issues a new one to the secret store; the old one keeps working for {@code overlap}),
 * revokes replaced ones once their overlap is over, and tells each owner once about a credential of theirs
 * that expires within {@code expiry-notice}. One instance runs at a time (a PostgreSQL advisory lock), and
 * each step is idempotent, so a run cut short is finished by the next. A suspended agent's secret is renewed
 * too (its identity stays disabled; reinstatement should not find it lapsed); a retired agent's is not.
 */
final class CredentialRotation implements CredentialRotations {

    private static final Logger log = LoggerFactory.getLogger(CredentialRotation.class);
    private static final AuditActor ACTOR = AuditActor.system("credential-rotation");
    private static final String LOCK = "select pg_try_advisory_lock(hashtext('warden.credentials.rotation'))";
    private static final String UNLOCK = "select pg_advisory_unlock(hashtext('warden.credentials.rotation'))";

    private final CredentialLedger ledger;
    private final IdentityProvisioner identities;
    private final AgentQueries agents;
    private final Notifications notifications;
    private final AuditLog audit;
    private final DataSource dataSource;
    private final TransactionTemplate transactions;
    private final CredentialPolicy policy;
    private final Clock clock;

    CredentialRotation(
            CredentialLedger ledger,
            IdentityProvisioner identities,
            AgentQueries agents,
            Notifications notifications,
            AuditLog audit,
            DataSource dataSource,
            TransactionTemplate transactions,
            CredentialPolicy policy,
            Clock clock) {
        this.ledger = ledger;
        this.identities = identities;
        this.agents = agents;
        this.notifications = notifications;
        this.audit = audit;
        this.dataSource = dataSource;
        this.transactions = transactions;
        this.policy = policy;
        this.clock = clock;
    }

    @Scheduled(
            initialDelayString = "${warden.credentials.rotation-interval:PT1H}",
            fixedDelayString = "${warden.credentials.rotation-interval:PT1H}")
    void scheduled() {
        try {
            Run run = run(clock.instant());
            if (run.rotated() + run.revoked() + run.notified() + run.failed() > 0) {
                log.info("Credential rotation: {}", run);
            }
        } catch (RuntimeException e) {
            log.error("The credential rotation failed; the next one runs as scheduled", e);
        }
    }

    @Override
    public Run run(Instant now) {
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(true);
            if (!locked(lock)) {
                return new Run(0, 0, 0, 0, true);
            }
            try {
                int rotated = 0;
                int revoked = 0;
                int notified = 0;
                int failed = 0;
                for (AgentCredential due : ledger.secretsExpiringBefore(now.plus(policy.rotateBefore()))) {
                    try {
                        rotated += rotate(due, now) ? 1 : 0;
                    } catch (RuntimeException e) {
                        failed++;
                        log.warn(
                                "Could not rotate credential {} of agent {}; retried on the next run: {}",
                                due.id(),
                                due.agentId(),
                                e.toString());
                    }
                }
                for (AgentCredential replaced : ledger.overlapEndedBy(now)) {
                    try {
                        revoke(replaced, now);
                        revoked++;
                    } catch (RuntimeException e) {
                        failed++;
                        log.warn(
                                "Could not revoke credential {} of agent {}; retried on the next run: {}",
                                replaced.id(),
                                replaced.agentId(),
                                e.toString());
                    }
                }
                for (ExpiringCredential expiring : ledger.expiringBefore(now.plus(policy.expiryNotice()))) {
                    if (expiring.ownerNotifiedAt() == null) {
                        notified += notifyOwner(expiring, now) ? 1 : 0;
                    }
                }
                return new Run(rotated, revoked, notified, failed, false);
            } finally {
                try (PreparedStatement unlock = lock.prepareStatement(UNLOCK)) {
                    unlock.execute();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not take the credential rotation lock", e);
        }
    }

    private boolean rotate(AgentCredential due, Instant now) {
        Optional<AgentView> agent = agents.findAgent(due.agentId());
        if (agent.isEmpty()) {
            return false;
        }
        // the new secret is issued and recorded and the old one given its overlap in one transaction: a run cut
        // short in between leaves the old one current, and the next run tries again
        Optional<AgentCredential> issued = transactions.execute(status -> {
            Optional<AgentCredential> fresh = identities.rotate(agent.get());
            fresh.ifPresent(credential -> {
                ledger.replaced(due.id(), now.plus(policy.overlap()));
                audit.append(AuditEvent.builder("agent.credential_rotated", ACTOR, target(due))
                        .agent(due.agentId().toString())
                        .detail("kind", due.kind())
                        .detail("replacedBy", credential.id())
                        .detail("newExpiresAt", credential.expiresAt())
                        .detail("oldRevokedAfter", now.plus(policy.overlap()))
                        .build());
            });
            return fresh;
        });
        return issued != null && issued.isPresent();
    }

    private void revoke(AgentCredential replaced, Instant now) {
        transactions.executeWithoutResult(status -> {
            agents.findAgent(replaced.agentId()).ifPresent(agent -> identities.revoke(agent, replaced));
            ledger.revoked(replaced.id(), now);
            audit.append(AuditEvent.builder("agent.credential_revoked", ACTOR, target(replaced))
                    .agent(replaced.agentId().toString())
                    .detail("kind", replaced.kind())
                    .detail("reason", "overlap-ended")
                    .build());
        });
    }

    private boolean notifyOwner(ExpiringCredential expiring, Instant now) {
        Boolean sent = transactions.execute(status -> {
            if (!ledger.ownerNotified(expiring.credentialId(), now)) {
                return false; // another run got there first
            }
            String what = expiring.kind() == CredentialKind.SECRET ? "client secret" : "certificate";
            String body = expiring.kind() == CredentialKind.SECRET
                    ? "The client secret of " + expiring.agentName() + " expires " + expiring.expiresAt()
                            + ". Warden issues a new one"
                            + " to the secret store before then; make sure the agent's deployment reads it from there."
                    : "The certificate " + expiring.fingerprint() + " of " + expiring.agentName() + " expires "
                            + expiring.expiresAt()
                            + ". Register a new certificate for the agent before then, or it can no longer get tokens with it.";
            notifications.send(
                    expiring.ownerId(),
                    expiring.agentId().toString(),
                    "credential-expiry",
                    "The " + what + " of " + expiring.agentName() + " expires soon",
                    body);
            return true;
        });
        return Boolean.TRUE.equals(sent);
    }

    private static AuditTarget target(AgentCredential credential) {
        return new AuditTarget("agent-credential", credential.id().toString());
    }

    private static boolean locked(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(LOCK);
                ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
