package io.warden.policy.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.BuiltInTool;
import io.warden.policy.KillSwitch;
import io.warden.policy.KillSwitchRefused;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.KillSwitches;
import io.warden.policy.Propagation;
import io.warden.policy.events.KillSwitchEngaged;
import io.warden.policy.events.KillSwitchReleased;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import io.warden.registry.CatalogQueries;
import io.warden.registry.RegistryException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
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
 * when a notification arrives ({@link PostgresNotifications}), and reconciles from the table every few seconds
 * in case a notification was missed (a dropped connection, say). Targets are resolved when a switch is engaged,
 * so a switch that is accepted always names something that exists; the view matches an AGENT switch by the
 * agent's id and by its client id alike.
 */
final class PostgresKillSwitches implements KillSwitches, SmartLifecycle, PostgresNotifications.Subscriber {

    static final String CHANNEL = "warden_kill_switch";
    private static final Logger log = LoggerFactory.getLogger(PostgresKillSwitches.class);
    private static final String SELECT = """
            select k.*, coalesce(a.name, t.display_name, d.display_name, k.target_name) as current_name,
                   coalesce(a.client_id, k.target_client_id) as current_client_id,
                   case k.scope when 'GLOBAL' then true when 'AGENT' then a.id is not null
                                when 'TOOL' then t.key is not null else d.key is not null end as resolved
            from kill_switch k
            left join agent a on k.scope = 'AGENT' and a.id::text = k.target
            left join tool t on k.scope = 'TOOL' and t.key = k.target
            left join data_scope d on k.scope = 'DATASET' and d.key = k.target
            """;

    /** What is stopped, as this instance last read it. */
    private record Snapshot(
            boolean global, Set<String> agents, Set<String> tools, Set<String> datasets, List<KillSwitch> active) {}

    /** A resolved target: what is stored, and how people see it. */
    private record Target(
            String key, @Nullable String name, @Nullable String clientId) {}

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final IdGenerator ids;
    private final Duration reconcileEvery;
    private final AgentQueries agentQueries;
    private final CatalogQueries registry;
    private final GatewayInstances instances;
    /** Tools Warden runs itself (the self-test's canary, cohort builds), by key, with their names. */
    private final Map<String, String> builtInTools;

    private volatile Snapshot snapshot = new Snapshot(false, Set.of(), Set.of(), Set.of(), List.of());
    private volatile boolean running;
    /** A lock, not a monitor: a reload waits out deciding calls, and a pinned virtual thread must not be the one waiting. */
    private final ReentrantLock reloading = new ReentrantLock();

    private final List<Runnable> engagedListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> releasedListeners = new CopyOnWriteArrayList<>();
    private @Nullable ScheduledExecutorService reconciler;

    public PostgresKillSwitches(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            AuditLog audit,
            ApplicationEventPublisher events,
            Clock clock,
            IdGenerator ids,
            Duration reconcileEvery,
            AgentQueries agentQueries,
            CatalogQueries registry,
            GatewayInstances instances,
            PostgresNotifications notifications,
            List<BuiltInTool> builtInTools) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
        this.ids = ids;
        this.reconcileEvery = reconcileEvery;
        this.agentQueries = agentQueries;
        this.registry = registry;
        this.instances = instances;
        Map<String, String> tools = new HashMap<>();
        tools.put(Canary.TOOL, Canary.NAME);
        builtInTools.forEach(tool -> tools.put(tool.key(), tool.name()));
        this.builtInTools = Map.copyOf(tools);
        notifications.subscribe(CHANNEL, this);
    }

    @Override
    public void notified(String payload) {
        reload();
    }

    @Override
    public void resync() {
        reload();
    }

    @Override
    public KillSwitch engage(KillSwitchScope scope, String target, String reason, String actorId) {
        Target resolved = resolve(scope, target);
        UUID id = ids.generateId();
        Instant now = clock.instant();
        try {
            transactions.executeWithoutResult(status -> {
                jdbc.sql("""
                        insert into kill_switch (id, scope, target, target_name, target_client_id, active, engaged_by, engaged_at, reason)
                        values (:id, :scope, :target, :name, :client, true, :actor, :now, :reason)""")
                        .param("id", id)
                        .param("scope", scope.name())
                        .param("target", resolved.key())
                        .param("name", resolved.name())
                        .param("client", resolved.clientId())
                        .param("actor", actorId)
                        .param("now", Timestamp.from(now))
                        .param("reason", reason)
                        .update();
                record("kill_switch.engaged", scope, resolved, reason, actorId, id);
                events.publishEvent(new KillSwitchEngaged(id, scope, resolved.key(), reason, actorId, now));
                notifyInstances(id);
            });
        } catch (DuplicateKeyException e) {
            throw new KillSwitchRefused(
                    "already-engaged",
                    ProblemKind.CONFLICT,
                    "A " + scope + " kill switch for " + label(resolved) + " is already engaged");
        }
        reload();
        return find(id);
    }

    /**
     * What a target names: an agent by its id or client id, an existing tool or data scope by key; anything else
     * is refused, so that no switch is accepted that stops nothing.
     */
    private Target resolve(KillSwitchScope scope, String target) {
        if (scope == KillSwitchScope.GLOBAL) {
            return new Target("*", null, null);
        }
        String key = target.strip();
        if (key.isEmpty() || key.length() > 200) {
            throw invalidTarget(scope, key);
        }
        return switch (scope) {
            case AGENT -> {
                Optional<AgentView> agent = Optional.empty();
                try {
                    agent = agentQueries.findAgent(AgentId.of(key));
                } catch (IllegalArgumentException notAnId) {
                    // not an agent id: a client id, then
                }
                if (agent.isEmpty()) {
                    agent = agentQueries.findAgentByClientId(key);
                }
                AgentView found = agent.orElseThrow(() -> invalidTarget(scope, key));
                yield new Target(found.id().toString(), found.name(), found.clientId());
            }
            case TOOL -> {
                if (builtInTools.containsKey(key)) {
                    yield new Target(key, builtInTools.get(key), null); // run by Warden itself, not in the registry
                }
                try {
                    yield new Target(key, registry.tool(key).displayName(), null);
                } catch (RegistryException.NotFound e) {
                    throw invalidTarget(scope, key);
                }
            }
            case DATASET -> {
                try {
                    yield new Target(key, registry.dataScope(key).displayName(), null);
                } catch (RegistryException.NotFound e) {
                    throw invalidTarget(scope, key);
                }
            }
            case GLOBAL -> throw new IllegalStateException("handled above");
        };
    }

    private static KillSwitchRefused invalidTarget(KillSwitchScope scope, String target) {
        String what = switch (scope) {
            case AGENT -> "an agent's id or client id";
            case TOOL -> "an existing tool's key";
            case DATASET -> "an existing data scope's key";
            case GLOBAL -> "*";
        };
        return KillSwitchRefused.invalidTarget("A " + scope + " kill switch needs " + what + " as its target; "
                + (target.isEmpty() ? "none was given" : "'" + abbreviate(target) + "' names none"));
    }

    private static String abbreviate(String text) {
        String printable = text.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 80 ? printable : printable.substring(0, 80) + "…";
    }

    private static String label(Target target) {
        if (target.name() == null) {
            return target.key();
        }
        return target.clientId() == null ? target.name() : target.name() + " (" + target.clientId() + ")";
    }

    @Override
    public KillSwitch release(UUID id, String reason, String actorId) {
        Instant now = clock.instant();
        transactions.executeWithoutResult(status -> {
            KillSwitch current = jdbc.sql(SELECT + " where k.id = :id for update of k")
                    .param("id", id)
                    .query(this::map)
                    .optional()
                    .orElseThrow(
                            () -> new KillSwitchRefused("not-found", ProblemKind.NOT_FOUND, "No kill switch " + id));
            Target target = new Target(current.target(), current.targetName(), current.targetClientId());
            if (!current.active()) {
                throw new KillSwitchRefused(
                        "not-engaged", ProblemKind.CONFLICT, "Kill switch " + id + " is not engaged");
            }
            if (current.scope() == KillSwitchScope.GLOBAL && current.releaseRequestedBy() == null) {
                jdbc.sql("update kill_switch set release_requested_by = :actor where id = :id")
                        .param("actor", actorId)
                        .param("id", id)
                        .update();
                record("kill_switch.release_requested", current.scope(), target, reason, actorId, id);
                return;
            }
            if (current.scope() == KillSwitchScope.GLOBAL && actorId.equals(current.releaseRequestedBy())) {
                throw new KillSwitchRefused(
                        "second-person-required",
                        ProblemKind.FORBIDDEN,
                        "Releasing the global kill switch needs a second person; " + actorId + " asked for it already");
            }
            jdbc.sql("""
                    update kill_switch set active = false, released_by = :actor, released_at = :now, release_reason = :reason
                    where id = :id""")
                    .param("actor", actorId)
                    .param("now", Timestamp.from(now))
                    .param("reason", reason)
                    .param("id", id)
                    .update();
            record("kill_switch.released", current.scope(), target, reason, actorId, id);
            events.publishEvent(new KillSwitchReleased(id, current.scope(), current.target(), reason, actorId, now));
            notifyInstances(id);
        });
        reload();
        return find(id);
    }

    @Override
    public Covered covers(String agent, String tool, String dataset) {
        Snapshot current = snapshot;
        return new Covered(
                current.global(),
                current.agents().contains(agent),
                current.tools().contains(tool),
                current.datasets().contains(dataset));
    }

    @Override
    public List<KillSwitch> active() {
        return snapshot.active();
    }

    @Override
    public List<KillSwitch> unresolved() {
        return snapshot.active().stream().filter(each -> !each.resolved()).toList();
    }

    @Override
    public Propagation propagation(UUID id) {
        return instances.awaitSwitch(id);
    }

    private KillSwitch find(UUID id) {
        return jdbc.sql(SELECT + " where k.id = :id")
                .param("id", id)
                .query(this::map)
                .single();
    }

    private void record(String action, KillSwitchScope scope, Target target, String reason, String actorId, UUID id) {
        AuditActor actor = actorId.startsWith("system:")
                ? AuditActor.system(actorId.substring("system:".length()))
                : AuditActor.person(actorId);
        var builder = AuditEvent.builder(action, actor, new AuditTarget("kill-switch", id.toString()))
                .detail("scope", scope)
                .detail("target", target.key());
        if (target.name() != null) {
            builder.detail("targetName", target.name());
        }
        builder.detail("reason", reason.length() <= 256 ? reason : reason.substring(0, 256));
        switch (scope) {
            // the trail names agents by client id, as the gateway's records do, so that one search finds both
            case AGENT -> builder.agent(target.clientId() == null ? target.key() : target.clientId());
            case TOOL -> builder.tool(target.key());
            case DATASET -> builder.dataset(target.key());
            case GLOBAL -> {}
        }
        audit.append(builder.build()); // throws: the change rolls back, nothing half-written
    }

    private void notifyInstances(UUID id) {
        jdbc.sql("select pg_notify(:channel, :id)")
                .param("channel", CHANNEL)
                .param("id", id.toString())
                .query(Object.class)
                .single();
    }

    /** Reads the active switches into this instance's view. */
    void reload() {
        reloading.lock(); // one reload at a time, so that an older read never replaces a newer view
        try {
            load();
        } finally {
            reloading.unlock();
        }
    }

    private void load() {
        List<KillSwitch> active = jdbc.sql(SELECT + " where k.active order by k.engaged_at")
                .query(this::map)
                .list();
        Set<String> agents = new HashSet<>();
        Set<String> tools = new HashSet<>();
        Set<String> datasets = new HashSet<>();
        boolean global = false;
        for (KillSwitch each : active) {
            switch (each.scope()) {
                case GLOBAL -> global = true;
                case AGENT -> {
                    agents.add(each.target());
                    if (each.targetClientId() != null) {
                        agents.add(each.targetClientId());
                    }
                }
                case TOOL -> tools.add(each.target());
                case DATASET -> datasets.add(each.target());
            }
        }
        Snapshot before = snapshot;
        snapshot =
                new Snapshot(global, Set.copyOf(agents), Set.copyOf(tools), Set.copyOf(datasets), List.copyOf(active));
        Set<UUID> known = new HashSet<>();
        before.active().forEach(each -> known.add(each.id()));
        if (active.stream().anyMatch(each -> !known.contains(each.id()))) {
            // before reporting the switch applied: the gateway cancels covered calls and waits out those still deciding
            for (Runnable listener : engagedListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    log.error("A kill-switch listener failed", e);
                }
            }
        }
        Set<UUID> now = new HashSet<>();
        active.forEach(each -> now.add(each.id()));
        if (!now.containsAll(known)) {
            for (Runnable listener : releasedListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    log.error("A kill-switch listener failed", e);
                }
            }
        }
        reportApplied(active);
    }

    /** Says which switches this instance applies now (best effort: a failure only delays the report). */
    private void reportApplied(List<KillSwitch> active) {
        try {
            Timestamp now = Timestamp.from(clock.instant());
            instances.heartbeat();
            for (KillSwitch each : active) {
                jdbc.sql("""
                        insert into kill_switch_applied (switch_id, instance_id, applied_at) values (:switch, :instance, :now)
                        on conflict do nothing""")
                        .param("switch", each.id())
                        .param("instance", instances.id())
                        .param("now", now)
                        .update();
            }
        } catch (RuntimeException e) {
            log.debug("Could not report the applied kill switches; the next reconciliation will", e);
        }
    }

    @Override
    public Map<UUID, Applied> applied() {
        Timestamp since = Timestamp.from(clock.instant().minus(GatewayInstances.LIVE_WINDOW));
        int live = jdbc.sql("select count(*) from gateway_instance where seen_at >= :since")
                .param("since", since)
                .query(Integer.class)
                .single();
        Map<UUID, Applied> reach = new HashMap<>();
        for (KillSwitch each : snapshot.active()) {
            int applying = jdbc.sql("""
                    select count(*) from kill_switch_applied a join gateway_instance i on i.id = a.instance_id
                    where a.switch_id = :switch and i.seen_at >= :since""")
                    .param("switch", each.id())
                    .param("since", since)
                    .query(Integer.class)
                    .single();
            reach.put(each.id(), new Applied(applying, Math.max(live, applying)));
        }
        return reach;
    }

    @Override
    public void onEngaged(Runnable listener) {
        engagedListeners.add(listener);
    }

    @Override
    public void onReleased(Runnable listener) {
        releasedListeners.add(listener);
    }

    private KillSwitch map(ResultSet rs, int row) throws SQLException {
        Timestamp released = rs.getTimestamp("released_at");
        KillSwitchScope scope = KillSwitchScope.valueOf(rs.getString("scope"));
        String target = rs.getString("target");
        boolean builtIn = scope == KillSwitchScope.TOOL && builtInTools.containsKey(target);
        return new KillSwitch(
                rs.getObject("id", UUID.class),
                scope,
                target,
                builtIn ? builtInTools.get(target) : rs.getString("current_name"),
                rs.getString("current_client_id"),
                builtIn || rs.getBoolean("resolved"),
                rs.getBoolean("active"),
                rs.getString("engaged_by"),
                rs.getTimestamp("engaged_at").toInstant(),
                rs.getString("reason"),
                rs.getString("release_requested_by"),
                rs.getString("released_by"),
                released == null ? null : released.toInstant(),
                rs.getString("release_reason"));
    }

    // ---- reconciliation -----------------------------------------------------------------------------

    @Override
    public synchronized void start() {
        reload();
        List<KillSwitch> unresolved = unresolved();
        if (!unresolved.isEmpty()) {
            log.warn(
                    "{} active kill switch(es) name no agent, tool or data scope (stored before targets were resolved): {}."
                            + " They are still enforced on what they name; release them and engage them again by a real target.",
                    unresolved.size(),
                    unresolved.stream()
                            .map(each -> each.scope() + " " + each.target() + " [" + each.id() + "]")
                            .toList());
        }
        running = true;
        ScheduledExecutorService scheduler = DaemonThreads.scheduler("warden-kill-switch-reconcile");
        scheduler.scheduleWithFixedDelay(
                this::reconcile, reconcileEvery.toMillis(), reconcileEvery.toMillis(), TimeUnit.MILLISECONDS);
        reconciler = scheduler;
    }

    private void reconcile() {
        try {
            reload();
        } catch (RuntimeException e) {
            log.warn("Could not reconcile the kill switches; the last known state stays in force", e);
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (reconciler != null) {
            reconciler.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
