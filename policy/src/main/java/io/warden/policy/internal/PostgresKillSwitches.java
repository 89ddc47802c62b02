package io.warden.policy.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.policy.KillSwitch;
import io.warden.policy.KillSwitchRefused;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.KillSwitches;
import io.warden.policy.events.KillSwitchEngaged;
import io.warden.policy.events.KillSwitchReleased;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.IdGenerator;

/**
 * Kill switches in PostgreSQL. Each change is written, audited, published and announced with
 * {@code pg_notify} in one transaction; every instance keeps the active switches in memory, reloads them
 * when a notification arrives on its listening connection, and reconciles from the table every few
 * seconds in case a notification was missed (a dropped connection, say).
 */
public final class PostgresKillSwitches implements KillSwitches, SmartLifecycle {

    static final String CHANNEL = "warden_kill_switch";
    private static final Logger log = LoggerFactory.getLogger(PostgresKillSwitches.class);

    /** What is stopped, as this instance last read it. */
    private record Snapshot(boolean global, Set<String> agents, Set<String> tools, Set<String> datasets, List<KillSwitch> active) {
    }

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final IdGenerator ids;
    private final Duration reconcileEvery;
    private volatile Snapshot snapshot = new Snapshot(false, Set.of(), Set.of(), Set.of(), List.of());
    private volatile boolean running;
    private final Object reloading = new Object();
    /** This instance, as it reports itself in {@code gateway_instance} and {@code kill_switch_applied}. */
    private final String instanceId = "warden-" + java.util.UUID.randomUUID();
    private final List<Runnable> engagedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private @Nullable Thread listener;
    private @Nullable ScheduledExecutorService reconciler;

    public PostgresKillSwitches(DataSource dataSource, JdbcClient jdbc, TransactionTemplate transactions, AuditLog audit,
            ApplicationEventPublisher events, Clock clock, IdGenerator ids, Duration reconcileEvery) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
        this.ids = ids;
        this.reconcileEvery = reconcileEvery;
    }

    @Override
    public KillSwitch engage(KillSwitchScope scope, String target, String reason, String actorId) {
        String key = scope == KillSwitchScope.GLOBAL ? "*" : target.strip();
        if (scope != KillSwitchScope.GLOBAL && (key.isEmpty() || key.equals("*") || key.length() > 200)) {
            throw new KillSwitchRefused("invalid-target", 400, "A " + scope + " kill switch needs the " + scope.name().toLowerCase()
                    + "'s id as its target");
        }
        UUID id = ids.generateId();
        Instant now = clock.instant();
        try {
            transactions.executeWithoutResult(status -> {
                jdbc.sql("""
                        insert into kill_switch (id, scope, target, active, engaged_by, engaged_at, reason)
                        values (:id, :scope, :target, true, :actor, :now, :reason)""")
                        .param("id", id).param("scope", scope.name()).param("target", key).param("actor", actorId)
                        .param("now", Timestamp.from(now)).param("reason", reason).update();
                record("kill_switch.engaged", scope, key, reason, actorId, id);
                events.publishEvent(new KillSwitchEngaged(id, scope, key, reason, actorId, now));
                notifyInstances(id);
            });
        } catch (DuplicateKeyException e) {
            throw new KillSwitchRefused("already-engaged", 409, "A " + scope + " kill switch for " + key + " is already engaged");
        }
        reload();
        return find(id);
    }

    @Override
    public KillSwitch release(UUID id, String reason, String actorId) {
        Instant now = clock.instant();
        transactions.executeWithoutResult(status -> {
            KillSwitch current = jdbc.sql("select * from kill_switch where id = :id for update").param("id", id)
                    .query(PostgresKillSwitches::map).optional()
                    .orElseThrow(() -> new KillSwitchRefused("not-found", 404, "No kill switch " + id));
            if (!current.active()) {
                throw new KillSwitchRefused("not-engaged", 409, "Kill switch " + id + " is not engaged");
            }
            if (current.scope() == KillSwitchScope.GLOBAL && current.releaseRequestedBy() == null) {
                jdbc.sql("update kill_switch set release_requested_by = :actor where id = :id")
                        .param("actor", actorId).param("id", id).update();
                record("kill_switch.release_requested", current.scope(), current.target(), reason, actorId, id);
                return;
            }
            if (current.scope() == KillSwitchScope.GLOBAL && current.releaseRequestedBy().equals(actorId)) {
                throw new KillSwitchRefused("second-person-required", 403,
                        "Releasing the global kill switch needs a second person; " + actorId + " asked for it already");
            }
            jdbc.sql("""
                    update kill_switch set active = false, released_by = :actor, released_at = :now, release_reason = :reason
                    where id = :id""")
                    .param("actor", actorId).param("now", Timestamp.from(now)).param("reason", reason).param("id", id).update();
            record("kill_switch.released", current.scope(), current.target(), reason, actorId, id);
            events.publishEvent(new KillSwitchReleased(id, current.scope(), current.target(), reason, actorId, now));
            notifyInstances(id);
        });
        reload();
        return find(id);
    }

    @Override
    public Covered covers(String agentClientId, String tool, String dataset) {
        Snapshot current = snapshot;
        return new Covered(current.global(), current.agents().contains(agentClientId), current.tools().contains(tool),
                current.datasets().contains(dataset));
    }

    @Override
    public List<KillSwitch> active() {
        return snapshot.active();
    }

    private KillSwitch find(UUID id) {
        return jdbc.sql("select * from kill_switch where id = :id").param("id", id).query(PostgresKillSwitches::map).single();
    }

    private void record(String action, KillSwitchScope scope, String target, String reason, String actorId, UUID id) {
        AuditActor actor = actorId.startsWith("system:") ? AuditActor.system(actorId.substring("system:".length()))
                : AuditActor.person(actorId);
        var builder = AuditEvent.builder(action, actor, new AuditTarget("kill-switch", id.toString()))
                .detail("scope", scope).detail("target", target);
        builder.detail("reason", reason.length() <= 256 ? reason : reason.substring(0, 256));
        switch (scope) {
            case AGENT -> builder.agent(target);
            case TOOL -> builder.tool(target);
            case DATASET -> builder.dataset(target);
            case GLOBAL -> { }
        }
        audit.append(builder.build()); // throws: the change rolls back, nothing half-written
    }

    private void notifyInstances(UUID id) {
        jdbc.sql("select pg_notify(:channel, :id)").param("channel", CHANNEL).param("id", id.toString())
                .query(Object.class).single();
    }

    /** Reads the active switches into this instance's view. */
    void reload() {
        synchronized (reloading) { // one reload at a time, so that an older read never replaces a newer view
            load();
        }
    }

    private void load() {
        List<KillSwitch> active = jdbc.sql("select * from kill_switch where active order by engaged_at")
                .query(PostgresKillSwitches::map).list();
        Set<String> agents = new HashSet<>();
        Set<String> tools = new HashSet<>();
        Set<String> datasets = new HashSet<>();
        boolean global = false;
        for (KillSwitch each : active) {
            switch (each.scope()) {
                case GLOBAL -> global = true;
                case AGENT -> agents.add(each.target());
                case TOOL -> tools.add(each.target());
                case DATASET -> datasets.add(each.target());
            }
        }
        Snapshot before = snapshot;
        snapshot = new Snapshot(global, Set.copyOf(agents), Set.copyOf(tools), Set.copyOf(datasets), List.copyOf(active));
        reportApplied(active);
        Set<UUID> known = new HashSet<>();
        before.active().forEach(each -> known.add(each.id()));
        if (active.stream().anyMatch(each -> !known.contains(each.id()))) {
            for (Runnable listener : engagedListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    log.error("A kill-switch listener failed", e);
                }
            }
        }
    }

    /** Says this instance is alive and which switches it applies now (best effort: a failure only delays the report). */
    private void reportApplied(List<KillSwitch> active) {
        try {
            Timestamp now = Timestamp.from(clock.instant());
            jdbc.sql("insert into gateway_instance (id, seen_at) values (:id, :now) on conflict (id) do update set seen_at = :now")
                    .param("id", instanceId).param("now", now).update();
            for (KillSwitch each : active) {
                jdbc.sql("""
                        insert into kill_switch_applied (switch_id, instance_id, applied_at) values (:switch, :instance, :now)
                        on conflict do nothing""").param("switch", each.id()).param("instance", instanceId).param("now", now).update();
            }
        } catch (RuntimeException e) {
            log.debug("Could not report the applied kill switches; the next reconciliation will", e);
        }
    }

    @Override
    public java.util.Map<UUID, Applied> applied() {
        Timestamp since = Timestamp.from(clock.instant().minusSeconds(30));
        int live = jdbc.sql("select count(*) from gateway_instance where seen_at >= :since").param("since", since)
                .query(Integer.class).single();
        java.util.Map<UUID, Applied> reach = new java.util.HashMap<>();
        for (KillSwitch each : snapshot.active()) {
            int instances = jdbc.sql("""
                    select count(*) from kill_switch_applied a join gateway_instance i on i.id = a.instance_id
                    where a.switch_id = :switch and i.seen_at >= :since""").param("switch", each.id()).param("since", since)
                    .query(Integer.class).single();
            reach.put(each.id(), new Applied(instances, Math.max(live, instances)));
        }
        return reach;
    }

    @Override
    public void onEngaged(Runnable listener) {
        engagedListeners.add(listener);
    }

    private static KillSwitch map(java.sql.ResultSet rs, int row) throws SQLException {
        Timestamp released = rs.getTimestamp("released_at");
        return new KillSwitch(rs.getObject("id", UUID.class), KillSwitchScope.valueOf(rs.getString("scope")),
                rs.getString("target"), rs.getBoolean("active"), rs.getString("engaged_by"),
                rs.getTimestamp("engaged_at").toInstant(), rs.getString("reason"), rs.getString("release_requested_by"),
                rs.getString("released_by"), released == null ? null : released.toInstant(), rs.getString("release_reason"));
    }

    // ---- propagation --------------------------------------------------------------------------------

    @Override
    public synchronized void start() {
        reload();
        running = true;
        Thread thread = new Thread(this::listen, "warden-kill-switch-listener");
        thread.setDaemon(true);
        thread.start();
        listener = thread;
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "warden-kill-switch-reconcile");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::reconcile, reconcileEvery.toMillis(), reconcileEvery.toMillis(), TimeUnit.MILLISECONDS);
        reconciler = scheduler;
    }

    private void reconcile() {
        try {
            reload();
        } catch (RuntimeException e) {
            log.warn("Could not reconcile the kill switches; the last known state stays in force", e);
        }
    }

    /** Holds one connection that LISTENs; reconnects when it breaks. */
    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                reload(); // anything engaged while not listening
                PGConnection postgres = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = postgres.getNotifications(250);
                    if (notifications != null && notifications.length > 0) {
                        reload();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("The kill-switch listener lost its connection; reconnecting", e);
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (reconciler != null) {
            reconciler.shutdownNow();
        }
        if (listener != null) {
            try {
                listener.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
