package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.warden.audit.AuditEvent;
import io.warden.policy.KillSwitch;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.KillSwitches;
import io.warden.policy.KillSwitches.Covered;
import io.warden.policy.KillSwitchesContract;
import io.warden.policy.Propagation;
import io.warden.registry.AgentView;
import io.warden.registry.DataScopeView;
import io.warden.registry.ToolView;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.JdkIdGenerator;

/**
 * {@link PostgresKillSwitches} keeps the port's promises on a real PostgreSQL with the registry's tables, and
 * what only a shared database gives: a switch engaged on one instance is in force on another within moments and
 * reported applied there, an instance that starts later enforces what was engaged before it, and a switch whose
 * target has left the registry is reported unresolved yet still enforced. Each instance has a connection pool,
 * a notification listener and a name of its own, as each Warden replica has. Reconciliation is slowed to a
 * minute so that only the notifications can carry a switch between instances within the test's bound.
 */
class PostgresKillSwitchesContractTests extends KillSwitchesContract {

    /** One Warden instance's kill switches and what they run on. */
    private record Instance(
            PostgresKillSwitches switches, PostgresNotifications notifications, HikariDataSource pool) {}

    private final PolicyDatabase database = new PolicyDatabase();
    private final HikariDataSource setup = database.pool();
    private final JdbcClient jdbc = JdbcClient.create(setup);
    private final List<Instance> started = new ArrayList<>();
    private @Nullable PostgresKillSwitches first;

    @Override
    protected KillSwitches switches() {
        return instanceA();
    }

    /** Started on first use, once the targets are in the registry's tables. */
    private PostgresKillSwitches instanceA() {
        PostgresKillSwitches current = first;
        if (current == null) {
            current = start("instance-a");
            first = current;
        }
        return current;
    }

    private PostgresKillSwitches start(String name) {
        HikariDataSource pool = database.pool();
        JdbcClient client = JdbcClient.create(pool);
        PostgresNotifications notifications = new PostgresNotifications(pool);
        PostgresKillSwitches switches = new PostgresKillSwitches(
                client,
                new TransactionTemplate(new DataSourceTransactionManager(pool)),
                audit,
                events,
                clock,
                new JdkIdGenerator(),
                Duration.ofMinutes(1),
                registered,
                registered,
                new GatewayInstances(client, clock, name, Duration.ofSeconds(5)),
                notifications,
                List.of());
        notifications.start();
        switches.start();
        started.add(new Instance(switches, notifications, pool));
        return switches;
    }

    @AfterEach
    void stopTheInstances() {
        for (Instance each : started.reversed()) {
            each.switches().stop();
            each.notifications().stop();
            each.pool().close();
        }
        setup.close();
    }

    /** The rows the kill switches' view joins to name and resolve their targets. */
    @Override
    protected void givenRegistered(AgentView agent, ToolView tool, DataScopeView dataScope) {
        Timestamp now = Timestamp.from(NOW);
        jdbc.sql("""
                insert into directory_user (id, user_principal_name, display_name, updated_at)
                values (:id, :id || '@contoso.org', 'Owner', :now)""").param("id", agent.ownerId()).param("now", now).update();
        jdbc.sql("""
                insert into agent (id, name, kind, purpose, status, owner_id, client_id, risk_tier, requested_scopes,
                                   requested_tools, data_scopes, tools, requested_purposes, purposes_of_use,
                                   created_by, created_at, updated_at, version)
                values (:id, :name, 'RETRIEVAL', 'contract', 'ACTIVE', :owner, :client, 'LOW', '{}', '{}', '{}', '{}',
                        '{}', '{TREAT}', :owner, :now, :now, 1)""")
                .param("id", agent.id().value())
                .param("name", agent.name())
                .param("owner", agent.ownerId())
                .param("client", agent.clientId())
                .param("now", now)
                .update();
        jdbc.sql("""
                insert into tool (key, display_name, backend, required_scopes, max_k, sensitivity, created_at,
                                  updated_at, version)
                values (:key, :name, 'retrieval', '{}', 50, 'INTERNAL', :now, :now, 1)""")
                .param("key", tool.key())
                .param("name", tool.displayName())
                .param("now", now)
                .update();
        jdbc.sql("""
                insert into data_scope (key, display_name, sensitivity, phi, deidentified, allowed_purposes,
                                        created_at, updated_at, version)
                values (:key, :name, 'INTERNAL', false, true, '{TREAT}', :now, :now, 1)""")
                .param("key", dataScope.key())
                .param("name", dataScope.displayName())
                .param("now", now)
                .update();
    }

    @Test
    void aSwitchEngagedOnOneInstanceIsInForceOnAnotherWithinMomentsAndReportedAppliedThere() {
        PostgresKillSwitches a = instanceA();
        PostgresKillSwitches b = start("instance-b");
        String clientId = agent.clientId() == null ? "" : agent.clientId();
        List<Covered> seenByB = new CopyOnWriteArrayList<>();
        b.onEngaged(() -> seenByB.add(b.covers(clientId, "other-tool", "other-data")));

        KillSwitch engaged = a.engage(KillSwitchScope.AGENT, clientId, "runaway loop", "ada");

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(b.covers(clientId, "other-tool", "other-data"))
                        .isEqualTo(new Covered(false, true, false, false)));
        assertThat(seenByB)
                .as("b's listener ran once b covered it")
                .containsExactly(new Covered(false, true, false, false));
        assertThat(b.active()).extracting(KillSwitch::id).containsExactly(engaged.id());
        Propagation propagation = a.propagation(engaged.id());
        assertThat(propagation.confirmed()).containsExactly("instance-a", "instance-b");
        assertThat(propagation.unconfirmed()).isEmpty();
        assertThat(a.applied()).containsEntry(engaged.id(), new KillSwitches.Applied(2, 2));

        a.release(engaged.id(), "fixed", "bob");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                b.covers(clientId, "other-tool", "other-data").any())
                        .isFalse());
        assertThat(seenByB).as("a release is no new switch").hasSize(1);
    }

    @Test
    void anInstanceThatStartsLaterEnforcesWhatWasEngagedBefore() {
        KillSwitch global = instanceA().engage(KillSwitchScope.GLOBAL, "*", "incident", "ada");

        PostgresKillSwitches later = start("instance-c");

        assertThat(later.covers("anyone", "any-tool", "any-data").global()).isTrue();
        assertThat(later.active()).containsExactly(global);
    }

    @Test
    void aSwitchWhoseTargetLeftTheRegistryIsReportedUnresolvedAndStillEnforced() {
        KillSwitch engaged = instanceA().engage(KillSwitchScope.TOOL, tool.key(), "bad backend", "ada");
        jdbc.sql("delete from tool where key = :key").param("key", tool.key()).update();

        instanceA().reload();

        assertThat(instanceA().unresolved()).singleElement().satisfies(each -> {
            assertThat(each.id()).isEqualTo(engaged.id());
            assertThat(each.resolved()).isFalse();
            assertThat(each.targetName()).as("as it was when engaged").isEqualTo(tool.displayName());
        });
        assertThat(instanceA().covers("anyone", tool.key(), "any-data").tool()).isTrue();
    }

    @Test
    void theTrailNamesTheAgentByClientIdAndTheToolAndDatasetByKey() {
        String clientId = agent.clientId() == null ? "" : agent.clientId();
        instanceA().engage(KillSwitchScope.AGENT, agent.id().toString(), "runaway loop", "ada");
        instanceA().engage(KillSwitchScope.TOOL, tool.key(), "bad backend", "ada");
        instanceA().engage(KillSwitchScope.DATASET, dataset.key(), "mislabelled", "ada");

        assertThat(audited)
                .extracting(AuditEvent::agentId, AuditEvent::tool, AuditEvent::dataset)
                .containsExactly(
                        tuple(clientId, null, null), tuple(null, tool.key(), null), tuple(null, null, dataset.key()));
        assertThat(audited.getFirst().details()).containsEntry("targetName", agent.name());
    }
}
