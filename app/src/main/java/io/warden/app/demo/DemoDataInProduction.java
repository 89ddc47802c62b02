package io.warden.app.demo;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.Agents;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Under the {@code prod} profile, demo people and agents found in the database (a data folder or database that
 * once ran with demo data) stop working at start, before the web server takes a request: demo local accounts
 * are disabled (their well-known password no longer signs anyone in; an open portal session of theirs ends at
 * its next refresh) and ACTIVE demo agents are suspended through the registry, so their identities are disabled
 * and every gateway refuses them exactly as for any suspension. An admin may reinstate one deliberately; the next
 * start suspends it again. Demo data is never seeded under {@code prod}, and asking for it stops the start.
 * One WARN line names what was disabled; each account and agent is audited (the agents by the registry too).
 */
@Component
@Profile("prod")
class DemoDataInProduction implements SmartLifecycle {

    static final String COMPONENT = "production-profile";

    private static final Logger log = LoggerFactory.getLogger(DemoDataInProduction.class);

    private final JdbcClient jdbc;
    private final Agents registry;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final DemoProperties demo;
    private volatile boolean running;

    DemoDataInProduction(
            JdbcClient jdbc, Agents registry, AuditLog audit, TransactionTemplate transactions, DemoProperties demo) {
        this.jdbc = jdbc;
        this.registry = registry;
        this.audit = audit;
        this.transactions = transactions;
        this.demo = demo;
    }

    @Override
    public void start() {
        if (demo.enabled()) {
            throw new IllegalStateException("warden.demo.enabled=true is refused under the prod profile: demo people "
                    + "share a published password. Remove the setting (or the prod profile on a workstation).");
        }
        List<String> accounts = new ArrayList<>();
        List<String> agents = new ArrayList<>();
        transactions.executeWithoutResult(status -> {
            // replicas that start together disable once; the second finds nothing left to do
            jdbc.sql("select pg_advisory_xact_lock(hashtext('warden.demo'))")
                    .query(Object.class)
                    .single();
            accounts.addAll(
                    jdbc.sql("update local_account set enabled = false where demo and enabled returning username")
                            .query(String.class)
                            .list());
            for (var agent : jdbc.sql(
                            "select id, coalesce(client_id, name) from agent where demo and status = 'ACTIVE' order by name")
                    .query((rs, row) -> new Object[] {rs.getObject(1, UUID.class), rs.getString(2)})
                    .list()) {
                registry.suspend(
                        new AgentId((UUID) agent[0]),
                        "demo agent found at a start under the prod profile",
                        Actor.system(COMPONENT));
                agents.add((String) agent[1]);
            }
        });
        for (String username : accounts) {
            audit.append(AuditEvent.builder(
                            "security.demo_account_disabled",
                            AuditActor.system(COMPONENT),
                            new AuditTarget("local-account", username))
                    .outcome(Outcome.SUCCESS)
                    .detail("profile", "prod")
                    .build());
        }
        if (accounts.isEmpty() && agents.isEmpty()) {
            log.info("Production profile: no enabled demo account or active demo agent in the database");
        } else {
            log.warn(
                    "Production profile: disabled {} demo account(s) {} and suspended {} demo agent(s) {} found in the database",
                    accounts.size(),
                    accounts,
                    agents.size(),
                    agents);
        }
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the audit log and the database, before the web server opens (Spring Boot starts it at DEFAULT_PHASE - 2048). */
    @Override
    public int getPhase() {
        return 0;
    }
}
