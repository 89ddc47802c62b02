package io.warden.policy.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.KillSwitch;
import io.warden.policy.KillSwitchRefused;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.KillSwitches;
import io.warden.policy.ReasonCodes;
import io.warden.policy.SelfTest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.IdGenerator;

/**
 * The kill-switch self-test over PostgreSQL. The instance that runs it writes a run, announces it on
 * {@value #CHANNEL}, and waits (at most {@link #STEP}) until every live instance has armed: probed its own gateway
 * with the canary and been served. It then engages a TOOL switch on the canary tool; each instance watches its own
 * view of the switches and, as soon as the switch is in it, probes its gateway again, which must refuse the canary
 * with KILL_SWITCH. After every instance has refused (or {@link #STEP} has passed) the switch is released and each
 * instance probes until its gateway serves the canary again. Times are taken on the database's clock at both ends,
 * so instances' clocks do not enter them. An instance passes when it refused within the bound (100 ms by default)
 * and served again after the release; a live instance that never armed did not hear the run (its notifications are
 * down) and fails. The run is audited with every instance's timings, kept in {@code self_test_run}, and counted
 * in the metrics. Runs are scheduled ({@code warden.policy.self-test.every}, a day by default) on whichever instance
 * finds the last run older than that; one run at a time across the cluster. Thread-safe.
 */
final class PostgresSelfTest implements SelfTest, SmartLifecycle, PostgresNotifications.Subscriber {

    static final String CHANNEL = "warden_self_test";
    /** How long a run waits for each step on every instance; a probe gives up after a few of them. */
    static final Duration STEP = Duration.ofSeconds(2);

    private static final String ACTOR = "system:self-test";
    private static final Logger log = LoggerFactory.getLogger(PostgresSelfTest.class);

    private final JdbcClient jdbc;
    private final KillSwitches killSwitches;
    private final GatewayService gateway;
    private final GatewayInstances instances;
    private final AuditLog audit;
    private final Clock clock;
    private final IdGenerator ids;
    private final GatewayMetrics metrics;
    private final Duration bound;
    private final Duration every;
    private final Set<UUID> probing = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private @Nullable ScheduledExecutorService scheduler;

    /**
     * @param bound how soon every instance must refuse the canary after the switch is engaged (100 ms)
     * @param every how often a run is scheduled (a day); at least a minute
     */
    public PostgresSelfTest(
            JdbcClient jdbc,
            KillSwitches killSwitches,
            GatewayService gateway,
            GatewayInstances instances,
            PostgresNotifications notifications,
            AuditLog audit,
            Clock clock,
            IdGenerator ids,
            GatewayMetrics metrics,
            Duration bound,
            Duration every) {
        if (bound.isNegative() || bound.isZero() || bound.compareTo(STEP) > 0) {
            throw new IllegalArgumentException(
                    "warden.policy.self-test.bound is between 0 and " + STEP + "; got " + bound);
        }
        if (every.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("warden.policy.self-test.every is at least a minute; got " + every);
        }
        this.jdbc = jdbc;
        this.killSwitches = killSwitches;
        this.gateway = gateway;
        this.instances = instances;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
        this.metrics = metrics;
        this.bound = bound;
        this.every = every;
        notifications.subscribe(CHANNEL, this);
    }

    // ---- the run ----------------------------------------------------------------------------------

    @Override
    public Result run(String actorId) {
        UUID run = ids.generateId();
        long started = System.nanoTime();
        Instant startedAt = clock.instant();
        int inserted = jdbc.sql("""
                insert into self_test_run (id, started_by, started_at)
                select :id, :actor, :now where not exists (
                    select 1 from self_test_run where finished_at is null and started_at > :stale)""")
                .param("id", run)
                .param("actor", actorId)
                .param("now", Timestamp.from(startedAt))
                .param("stale", Timestamp.from(startedAt.minus(STEP.multipliedBy(5))))
                .update();
        if (inserted == 0) {
            throw new KillSwitchRefused(
                    "self-test-running",
                    ProblemKind.CONFLICT,
                    "A kill-switch self-test is running; wait for its result");
        }
        List<GatewayInstances.Live> live = instances.live();
        if (live.stream().noneMatch(each -> each.id().equals(instances.id()))) {
            instances.heartbeat();
            live = instances.live();
        }
        Set<String> liveIds = new HashSet<>();
        live.forEach(each -> liveIds.add(each.id()));
        KillSwitch engaged = null;
        try {
            jdbc.sql("select pg_notify(:channel, :run)")
                    .param("channel", CHANNEL)
                    .param("run", run.toString())
                    .query(Object.class)
                    .single();
            startProbe(run); // this instance also hears the notification; probing once is ensured
            waitFor(() -> count(run, "armed_at") + count(run, "problem") >= liveIds.size());
            jdbc.sql("update self_test_run set engaged_at = clock_timestamp() where id = :id")
                    .param("id", run)
                    .update();
            engaged = killSwitches.engage(KillSwitchScope.TOOL, Canary.TOOL, "Kill-switch self-test " + run, ACTOR);
            waitFor(() -> count(run, "refused_at") + count(run, "problem") >= count(run, "armed_at"));
            jdbc.sql("update self_test_run set released_at = clock_timestamp() where id = :id")
                    .param("id", run)
                    .update();
            killSwitches.release(engaged.id(), "Kill-switch self-test " + run + " over", ACTOR);
            engaged = null;
            waitFor(() -> count(run, "recovered_at") + count(run, "problem") >= count(run, "armed_at"));
        } catch (KillSwitchRefused e) {
            log.error("The kill-switch self-test could not engage or release its switch: {}", e.getMessage());
        } finally {
            if (engaged != null) {
                try {
                    killSwitches.release(engaged.id(), "Kill-switch self-test " + run + " failed", ACTOR);
                } catch (RuntimeException e) {
                    log.error(
                            "The kill-switch self-test could not release its switch {}; release it by hand",
                            engaged.id(),
                            e);
                }
            }
        }
        Result result = result(run, live, Duration.ofNanos(System.nanoTime() - started));
        jdbc.sql("update self_test_run set finished_at = :now, passed = :passed where id = :id")
                .param("now", Timestamp.from(clock.instant()))
                .param("passed", result.passed())
                .param("id", run)
                .update();
        record(result);
        metrics.selfTest(result.passed(), result.took());
        if (!result.passed()) {
            log.error(
                    "The kill-switch self-test failed: {}",
                    result.instances().stream()
                            .filter(each -> !each.passed())
                            .map(each -> each.name() + ": " + each.problem())
                            .toList());
        }
        return result;
    }

    private int count(UUID run, String column) {
        return jdbc.sql("select count(" + column + ") from self_test_result where run_id = :run")
                .param("run", run)
                .query(Integer.class)
                .single();
    }

    private static void waitFor(BooleanSupplier done) {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    private Result result(UUID run, List<GatewayInstances.Live> live, Duration took) {
        record Row(
                String instanceId,
                String name,
                @Nullable Duration refused,
                @Nullable Duration recovered,
                @Nullable String problem,
                boolean armed) {}
        Map<String, Row> rows = new HashMap<>();
        jdbc.sql("""
                select r.instance_id, r.instance_name, r.armed_at is not null as armed, r.problem,
                       (extract(epoch from r.refused_at - s.engaged_at) * 1000000)::bigint as refused_us,
                       (extract(epoch from r.recovered_at - s.released_at) * 1000000)::bigint as recovered_us
                from self_test_result r join self_test_run s on s.id = r.run_id where r.run_id = :run""")
                .param("run", run)
                .query((ResultSet rs, int n) -> {
                    rows.put(
                            rs.getString("instance_id"),
                            new Row(
                                    rs.getString("instance_id"),
                                    rs.getString("instance_name"),
                                    micros(rs, "refused_us"),
                                    micros(rs, "recovered_us"),
                                    rs.getString("problem"),
                                    rs.getBoolean("armed")));
                    return null;
                })
                .list();
        List<Instance> results = new ArrayList<>();
        for (GatewayInstances.Live each : live) {
            Row row = rows.remove(each.id());
            if (row == null) {
                results.add(new Instance(
                        each.name(),
                        false,
                        null,
                        null,
                        "did not answer: it did not hear the self-test (are its notifications down?)"));
                continue;
            }
            results.add(judge(row.name(), row.refused(), row.recovered(), row.problem()));
        }
        rows.values().forEach(row -> results.add(judge(row.name(), row.refused(), row.recovered(), row.problem())));
        boolean passed = !results.isEmpty() && results.stream().allMatch(Instance::passed);
        Instant startedAt = jdbc.sql("select started_at from self_test_run where id = :id")
                .param("id", run)
                .query(Timestamp.class)
                .single()
                .toInstant();
        String startedBy = jdbc.sql("select started_by from self_test_run where id = :id")
                .param("id", run)
                .query(String.class)
                .single();
        return new Result(run, startedBy, startedAt, passed, took, bound, results);
    }

    private Instance judge(
            String name, @Nullable Duration refused, @Nullable Duration recovered, @Nullable String problem) {
        if (problem != null) {
            return new Instance(name, false, refused, recovered, problem);
        }
        if (refused == null) {
            return new Instance(name, false, null, recovered, "its gateway did not refuse the canary within " + STEP);
        }
        if (refused.compareTo(bound) > 0) {
            return new Instance(
                    name,
                    false,
                    refused,
                    recovered,
                    "its gateway refused the canary after " + refused.toMillis() + " ms, later than the bound of "
                            + bound.toMillis() + " ms");
        }
        if (recovered == null) {
            return new Instance(
                    name,
                    false,
                    refused,
                    null,
                    "its gateway did not serve the canary again within " + STEP + " of the release");
        }
        return new Instance(name, true, refused, recovered, null);
    }

    private static @Nullable Duration micros(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Duration.ofNanos(Math.max(0, value) * 1000);
    }

    private void record(Result result) {
        AuditActor actor = result.startedBy().startsWith("system:")
                ? AuditActor.system(result.startedBy().substring(7))
                : AuditActor.person(result.startedBy());
        var builder = AuditEvent.builder(
                        "kill_switch.self_test",
                        actor,
                        new AuditTarget("self-test", result.id().toString()))
                .tool(Canary.TOOL)
                .outcome(result.passed() ? Outcome.SUCCESS : Outcome.SERIOUS_FAILURE)
                .latencyMicros(result.took().toNanos() / 1000)
                .detail("passed", result.passed())
                .detail("boundMs", result.bound().toMillis())
                .detail("instances", result.instances().size());
        for (int i = 0; i < result.instances().size() && i < 50; i++) {
            Instance each = result.instances().get(i);
            String summary = each.name() + ": " + (each.passed() ? "passed" : "FAILED") + ", refused "
                    + (each.refused() == null ? "never" : each.refused().toNanos() / 1000 + " us") + ", served again "
                    + (each.recovered() == null ? "never" : each.recovered().toNanos() / 1000 + " us")
                    + (each.problem() == null ? "" : "; " + each.problem());
            builder.detail("instance." + (i + 1), summary.length() <= 256 ? summary : summary.substring(0, 256));
        }
        try {
            audit.append(builder.build());
        } catch (RuntimeException e) {
            // the run itself is kept in self_test_run and counted in the metrics; the failure is loud
            log.error("The result of kill-switch self-test {} could not be audited", result.id(), e);
        }
    }

    // ---- each instance's probe ------------------------------------------------------------------------

    @Override
    public void notified(String payload) {
        try {
            startProbe(UUID.fromString(payload));
        } catch (IllegalArgumentException e) {
            log.warn("Ignored a self-test notification that names no run: {}", payload);
        }
    }

    @Override
    public void resync() {
        // a run missed while deaf is over by the time the listener is back: it counted this instance as failed
    }

    private void startProbe(UUID run) {
        if (probing.add(run)) {
            Thread.ofVirtual().name("warden-self-test-probe").start(() -> {
                try {
                    probe(run);
                } catch (RuntimeException e) {
                    log.error("The kill-switch self-test probe of run {} failed", run, e);
                    problem(run, "the probe failed: " + e.getClass().getSimpleName());
                }
            });
        }
    }

    private void probe(UUID run) {
        long deadline = System.nanoTime() + STEP.multipliedBy(3).toNanos();
        GatewayService.Probe before = gateway.probe();
        if (!before.served()) {
            insert(run);
            problem(run, "its gateway did not serve the canary before the switch: " + before.reasons());
            return;
        }
        insert(run);
        jdbc.sql(
                        "update self_test_result set armed_at = clock_timestamp() where run_id = :run and instance_id = :instance")
                .param("run", run)
                .param("instance", instances.id())
                .update();
        while (!covered() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000);
        }
        GatewayService.Probe stopped = gateway.probe();
        if (stopped.served() || !stopped.reasons().contains(ReasonCodes.KILL_SWITCH)) {
            problem(
                    run,
                    stopped.served()
                            ? "its gateway served the canary while the switch was engaged"
                            : "its gateway refused the canary for another reason: " + stopped.reasons());
            return;
        }
        mark(run, "refused_at");
        while (covered() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000);
        }
        GatewayService.Probe served = gateway.probe();
        if (!served.served()) {
            problem(run, "its gateway still refused the canary after the release: " + served.reasons());
            return;
        }
        mark(run, "recovered_at");
    }

    private boolean covered() {
        return killSwitches
                .covers(Canary.AGENT_ID.toString(), Canary.TOOL, Canary.DATASET)
                .tool();
    }

    private void insert(UUID run) {
        try {
            jdbc.sql(
                            "insert into self_test_result (run_id, instance_id, instance_name) values (:run, :instance, :name)")
                    .param("run", run)
                    .param("instance", instances.id())
                    .param("name", instances.name())
                    .update();
        } catch (DuplicateKeyException e) {
            // probed already (a repeated notification)
        }
    }

    private void mark(UUID run, String column) {
        jdbc.sql("update self_test_result set " + column
                        + " = clock_timestamp() where run_id = :run and instance_id = :instance")
                .param("run", run)
                .param("instance", instances.id())
                .update();
    }

    private void problem(UUID run, String problem) {
        jdbc.sql("update self_test_result set problem = :problem where run_id = :run and instance_id = :instance")
                .param("problem", problem)
                .param("run", run)
                .param("instance", instances.id())
                .update();
    }

    // ---- history and schedule ---------------------------------------------------------------------

    @Override
    public List<Result> recent(int limit) {
        List<UUID> runs = jdbc.sql(
                        "select id from self_test_run where finished_at is not null order by started_at desc limit :limit")
                .param("limit", Math.max(1, Math.min(limit, 100)))
                .query((rows, row) -> rows.getObject("id", UUID.class))
                .list();
        List<Result> results = new ArrayList<>();
        for (UUID run : runs) {
            Duration took = jdbc.sql(
                            "select (extract(epoch from finished_at - started_at) * 1000)::bigint from self_test_run where id = :id")
                    .param("id", run)
                    .query(Long.class)
                    .optional()
                    .map(Duration::ofMillis)
                    .orElse(Duration.ZERO);
            results.add(result(run, List.of(), took));
        }
        return results;
    }

    /** Runs a self-test when the last one started longer ago than {@code every}; one instance does. */
    void runIfDue() {
        try {
            // max() of no rows is one row holding null: optional(), since single() refuses a null value
            Timestamp last = jdbc.sql("select max(started_at) from self_test_run")
                    .query(Timestamp.class)
                    .optional()
                    .orElse(null);
            if (last == null || last.toInstant().plus(every).isBefore(clock.instant())) {
                run(ACTOR);
            }
        } catch (KillSwitchRefused e) {
            log.debug("A scheduled self-test is running elsewhere");
        } catch (RuntimeException e) {
            log.error("The scheduled kill-switch self-test could not run", e);
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        ScheduledExecutorService executor = DaemonThreads.scheduler("warden-self-test-schedule");
        // checked every few minutes; a fresh instance waits that long first, so that it is warm when it probes
        long check = Math.min(every.toMillis(), Duration.ofMinutes(5).toMillis());
        executor.scheduleWithFixedDelay(this::runIfDue, check, check, TimeUnit.MILLISECONDS);
        scheduler = executor;
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
