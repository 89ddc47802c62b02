package io.warden.policy.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.RateLimitRefused;
import io.warden.policy.RateLimits;
import io.warden.policy.ReasonCodes;
import io.warden.registry.AgentId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Rate limits and quotas on the shared PostgreSQL, spent from local leases so that the gateway's hot path
 * reaches the database only once per lease, not once per call.
 *
 * <h2>The lease algorithm</h2>
 * The database holds, per agent and tool, one token bucket (tokens at {@code refilled_at}; it refills at the
 * rate up to the burst) and the calls counted in the current UTC day and month ({@code rate_counter}). To
 * admit a call an instance spends one permit of its lease for that agent and tool. When its lease is empty or
 * expired it takes a new one in a single {@code UPDATE ... RETURNING} that, under the row lock, refills the
 * bucket to now, resets a counter whose period has passed, gives back the quota units the expired lease did
 * not spend, and grants
 * <pre>  n = min(floor(tokens), L, dayLease, monthLease)       L = max(1, min(burst, ceil(rate × lease-window)))
 *   dayLease = min(q, max(1, floor(q × quota-lease-fraction)))   q = daily quota − used today (likewise monthly)</pre>
 * taking n tokens out of the bucket and adding n to both counters. The call that asked spends one; n = 0
 * refuses it (QUOTA_EXHAUSTED when a quota is spent, with Retry-After until it resets; else RATE_LIMITED,
 * with Retry-After until the bucket holds a token). A lease may be spent for {@code lease-ttl} and never
 * past the UTC day it was counted in; what it did not spend is given back to the quota counters (when the
 * next lease is taken, by a sweep every {@code lease-ttl}, and at shutdown), never to the bucket.
 *
 * <h2>What it guarantees</h2>
 * <ul>
 * <li><b>Rate, within the lease slack.</b> Tokens leave the bucket only in leases, so in any interval of T
 * seconds at most {@code burst + rate × T} tokens leave it; the calls admitted in that interval are those
 * tokens plus what instances held at its start, at most L − 1 each (an instance holds one lease per agent
 * and tool, and spends its first permit at once). So k instances admit at most
 * {@code burst + rate × T + k × (L − 1)}: with the defaults (100/s, burst 200, 0.1 s window) L = 10 and two
 * instances may exceed the single-bucket figure by 18 calls. Clocks that disagree add at most
 * {@code rate × skew} once (the bucket never refills backwards).</li>
 * <li><b>Quotas, exactly.</b> A unit is counted before it is spent and a lease is never larger than what
 * remains, so instances together never admit more than a quota; units leased and not spent come back, so
 * while calls keep coming they admit exactly the quota. Near the end leases shrink to one call. An instance
 * that dies holding a lease loses its unspent units for that period: quotas err on the side of refusing.</li>
 * <li><b>Changes</b> to limits reach every instance within {@code lease-ttl} (at once on the instance that
 * made them), since each lease reads the effective limit in the same statement.</li>
 * </ul>
 * A call counts once the limiter admits it, whatever the policy then decides. When the database cannot be
 * reached, calls whose lease is spent are refused (fail closed). Thread-safe; one lock per agent and tool.
 */
final class PostgresRateLimits implements RateLimits, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PostgresRateLimits.class);
    private static final Admission ADMITTED = new Admission.Admitted();
    /** A fresh bucket starts full: the statement caps tokens at the burst. */
    private static final double FULL = 1e15;

    private record Key(AgentId agent, String tool) {}

    /** This instance's lease for one agent and tool; guarded by its lock. */
    private static final class Lease {
        final ReentrantLock lock = new ReentrantLock();
        long left;
        Instant expires = Instant.MIN;

        @Nullable
        LocalDate day;

        @Nullable
        LocalDate month;
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final AuditLog audit;
    private final Clock clock;
    private final RateLimitProperties settings;
    private final Limit builtIn;
    private final Map<Key, Lease> leases = new ConcurrentHashMap<>();
    private volatile boolean running;
    private @Nullable ScheduledExecutorService sweeper;

    public PostgresRateLimits(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            AuditLog audit,
            Clock clock,
            RateLimitProperties settings) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.transactions = Objects.requireNonNull(transactions, "transactions");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.builtIn = new Limit(settings.defaultRatePerSecond(), settings.defaultBurst(), null, null);
    }

    // ---- the hot path -------------------------------------------------------------------------------

    @Override
    public Admission admit(AgentId agent, String tool) {
        Lease lease = leases.computeIfAbsent(new Key(agent, tool), key -> new Lease());
        lease.lock.lock();
        try {
            Instant now = clock.instant();
            if (lease.left > 0 && now.isBefore(lease.expires)) {
                lease.left--;
                return ADMITTED;
            }
            return renew(agent, tool, lease, now);
        } finally {
            lease.lock.unlock();
        }
    }

    /** The statement that takes a lease; see the class comment. Parameters are typed, so nulls bind. */
    private static final String LEASE = """
            with lim as (
                select coalesce(o.rate_per_second, d.rate_per_second, :builtInRate) as rate,
                       coalesce(o.burst, d.burst, :builtInBurst) as burst,
                       case when o.agent_id is not null then o.daily_quota else d.daily_quota end as daily,
                       case when o.agent_id is not null then o.monthly_quota else d.monthly_quota end as monthly
                from (values (1)) as one (x)
                left join rate_limit_override o on o.agent_id = :agent and o.tool = :tool
                left join rate_limit_default d on d.tool = :tool
            ), cur as (
                select c.agent_id, c.tool, lim.rate, lim.burst, lim.daily, lim.monthly,
                       least(lim.burst::float8, c.tokens
                             + greatest(0, extract(epoch from (cast(:now as timestamptz) - c.refilled_at))) * lim.rate) as avail,
                       greatest(c.day, cast(:day as date)) as d,
                       greatest(0, case when c.day < cast(:day as date) then 0
                                   else c.day_used - case when c.day = cast(:refundDay as date) then :refund else 0 end end) as dused,
                       greatest(c.month, cast(:month as date)) as m,
                       greatest(0, case when c.month < cast(:month as date) then 0
                                   else c.month_used - case when c.month = cast(:refundMonth as date) then :refund else 0 end end) as mused
                from rate_counter c cross join lim
                where c.agent_id = :agent and c.tool = :tool
                for update of c
            ), g as (
                select cur.*, greatest(0, least(
                           floor(avail)::bigint,
                           greatest(1, least(burst, ceil(rate * :window)))::bigint,
                           case when daily is null then 9223372036854775807
                                else least(daily - dused, greatest(1, floor((daily - dused) * :fraction)))::bigint end,
                           case when monthly is null then 9223372036854775807
                                else least(monthly - mused, greatest(1, floor((monthly - mused) * :fraction)))::bigint end
                       )) as granted
                from cur
            )
            update rate_counter c
            set tokens = g.avail - g.granted, refilled_at = greatest(c.refilled_at, cast(:now as timestamptz)),
                day = g.d, day_used = g.dused + g.granted, month = g.m, month_used = g.mused + g.granted
            from g
            where c.agent_id = g.agent_id and c.tool = g.tool
            returning g.granted, g.avail, g.rate, g.daily, g.monthly, g.dused, g.mused, g.d, g.m""";

    private record Grant(
            long granted,
            double avail,
            double rate,
            @Nullable Long daily,
            @Nullable Long monthly,
            long dayUsed,
            long monthUsed,
            LocalDate day,
            LocalDate month) {}

    private Admission renew(AgentId agent, String tool, Lease lease, Instant now) {
        long refund = lease.left;
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        Optional<Grant> taken;
        try {
            taken = lease(agent, tool, now, today, refund, lease);
            if (taken.isEmpty()) {
                jdbc.sql("""
                        insert into rate_counter (agent_id, tool, tokens, refilled_at, day, day_used, month, month_used)
                        values (:agent, :tool, :full, :now, :day, 0, :month, 0) on conflict do nothing""")
                        .param("agent", agent.value())
                        .param("tool", tool)
                        .param("full", FULL)
                        .param("now", at(now))
                        .param("day", today)
                        .param("month", today.withDayOfMonth(1))
                        .update();
                taken = lease(agent, tool, now, today, refund, lease);
            }
        } catch (DataAccessException e) {
            // the unspent units stay on the lease, to be given back by the next lease or the sweep
            log.warn("Could not take a rate-limit lease for {} on {}; the call is refused", agent, tool, e);
            return new Admission.Refused(ReasonCodes.RATE_LIMIT_UNAVAILABLE, 1);
        }
        Grant grant = taken.orElseThrow(() -> new IllegalStateException("the rate counter row vanished"));
        lease.left = 0;
        if (grant.granted() > 0) {
            lease.left = grant.granted() - 1;
            Instant midnight =
                    grant.day().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            Instant expires = now.plus(settings.leaseTtl());
            lease.expires = expires.isBefore(midnight) ? expires : midnight;
            lease.day = grant.day();
            lease.month = grant.month();
            return ADMITTED;
        }
        lease.day = null;
        lease.month = null;
        return refusal(grant, now);
    }

    private Optional<Grant> lease(AgentId agent, String tool, Instant now, LocalDate today, long refund, Lease lease) {
        return jdbc.sql(LEASE)
                .param("builtInRate", builtIn.ratePerSecond())
                .param("builtInBurst", builtIn.burst())
                .param("agent", agent.value())
                .param("tool", tool)
                .param("now", at(now))
                .param("day", today)
                .param("month", today.withDayOfMonth(1))
                .param("refund", refund)
                .param("refundDay", refund > 0 ? lease.day : null, Types.DATE)
                .param("refundMonth", refund > 0 ? lease.month : null, Types.DATE)
                .param("window", settings.leaseWindow().toNanos() / 1e9)
                .param("fraction", settings.quotaLeaseFraction())
                .query((rs, row) -> new Grant(
                        rs.getLong("granted"),
                        rs.getDouble("avail"),
                        rs.getDouble("rate"),
                        nullableLong(rs, "daily"),
                        nullableLong(rs, "monthly"),
                        rs.getLong("dused"),
                        rs.getLong("mused"),
                        rs.getObject("d", LocalDate.class),
                        rs.getObject("m", LocalDate.class)))
                .optional();
    }

    private static Admission refusal(Grant grant, Instant now) {
        boolean dayOut = grant.daily() != null && grant.dayUsed() >= grant.daily();
        boolean monthOut = grant.monthly() != null && grant.monthUsed() >= grant.monthly();
        if (dayOut || monthOut) {
            Instant reset = monthOut
                    ? grant.month().plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : grant.day().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            return new Admission.Refused(ReasonCodes.QUOTA_EXHAUSTED, secondsUntil(now, reset));
        }
        long wait = (long) Math.ceil((1 - grant.avail()) / grant.rate());
        return new Admission.Refused(ReasonCodes.RATE_LIMITED, Math.max(1, wait));
    }

    private static long secondsUntil(Instant now, Instant then) {
        return Math.max(1, (Duration.between(now, then).toMillis() + 999) / 1000);
    }

    // ---- giving back unspent leases -----------------------------------------------------------------

    /** Gives back the quota units of expired leases (all leases when {@code all}) and forgets idle ones. */
    void returnLeases(boolean all) {
        Instant now = clock.instant();
        for (var entry : leases.entrySet()) {
            Lease lease = entry.getValue();
            if (!lease.lock.tryLock()) {
                continue; // in use: its owner renews it
            }
            try {
                boolean expired = !now.isBefore(lease.expires);
                if ((expired || all) && lease.left > 0 && lease.day != null && lease.month != null) {
                    jdbc.sql("""
                            update rate_counter
                            set day_used = case when day = :day then greatest(0, day_used - :n) else day_used end,
                                month_used = case when month = :month then greatest(0, month_used - :n) else month_used end
                            where agent_id = :agent and tool = :tool""")
                            .param("day", lease.day)
                            .param("month", lease.month)
                            .param("n", lease.left)
                            .param("agent", entry.getKey().agent().value())
                            .param("tool", entry.getKey().tool())
                            .update();
                    lease.left = 0;
                    lease.expires = Instant.MIN;
                }
                if (lease.left == 0 && expired) {
                    leases.remove(entry.getKey(), lease);
                }
            } catch (DataAccessException e) {
                log.debug("Could not give back a rate-limit lease; the next lease or sweep will", e);
            } finally {
                lease.lock.unlock();
            }
        }
    }

    /** Ends this instance's leases for a tool (or one agent and tool) so the next call reads the changed limit. */
    private void expireLeases(String tool, @Nullable AgentId agent) {
        leases.forEach((key, lease) -> {
            if (key.tool().equals(tool) && (agent == null || key.agent().equals(agent))) {
                lease.lock.lock();
                try {
                    lease.expires = Instant.MIN;
                } finally {
                    lease.lock.unlock();
                }
            }
        });
    }

    // ---- administration -----------------------------------------------------------------------------

    @Override
    public ToolLimits toolLimits(String tool) {
        Optional<Setting> stored = jdbc.sql("select * from rate_limit_default where tool = :tool")
                .param("tool", tool)
                .query(PostgresRateLimits::setting)
                .optional();
        List<Setting> overrides = jdbc.sql("select * from rate_limit_override where tool = :tool order by agent_id")
                .param("tool", tool)
                .query(PostgresRateLimits::setting)
                .list();
        return stored.map(s -> new ToolLimits(tool, s.limit(), Source.TOOL, s.version(), overrides))
                .orElseGet(() -> new ToolLimits(tool, builtIn, Source.BUILT_IN, 0, overrides));
    }

    @Override
    public Setting setToolDefault(String tool, Limit limit, @Nullable Long expectedVersion, String actorId) {
        Setting result = save("rate_limit_default", "tool = :tool", tool, null, limit, expectedVersion, actorId);
        expireLeases(tool, null);
        return result;
    }

    @Override
    public Setting setOverride(
            AgentId agent, String tool, Limit limit, @Nullable Long expectedVersion, String actorId) {
        Setting result = save(
                "rate_limit_override",
                "agent_id = :agent and tool = :tool",
                tool,
                agent,
                limit,
                expectedVersion,
                actorId);
        expireLeases(tool, agent);
        return result;
    }

    private Setting save(
            String table,
            String where,
            String tool,
            @Nullable AgentId agent,
            Limit limit,
            @Nullable Long expectedVersion,
            String actorId) {
        Instant now = clock.instant();
        try {
            return Objects.requireNonNull(transactions.execute(status -> {
                Optional<Setting> current = jdbc.sql("select * from " + table + " where " + where + " for update")
                        .param("tool", tool)
                        .param("agent", agent == null ? null : agent.value(), Types.OTHER)
                        .query(PostgresRateLimits::setting)
                        .optional();
                long version = current.map(Setting::version).orElse(0L);
                if (expectedVersion != null && expectedVersion != version) {
                    throw stale(expectedVersion, version);
                }
                if (current.isPresent() && current.get().limit().equals(limit)) {
                    return current.get(); // the same values again: nothing changes, nothing to record
                }
                String values = ":rate, :burst, :daily, :monthly, :version, :actor, :now";
                var statement = current.isPresent()
                        ? jdbc.sql("update " + table
                                + " set rate_per_second = :rate, burst = :burst, daily_quota = :daily, "
                                + "monthly_quota = :monthly, version = :version, updated_by = :actor, updated_at = :now where "
                                + where)
                        : jdbc.sql(
                                agent == null
                                        ? "insert into rate_limit_default (tool, rate_per_second, burst, daily_quota, monthly_quota, version, "
                                                + "updated_by, updated_at) values (:tool, " + values + ")"
                                        : "insert into rate_limit_override (agent_id, tool, rate_per_second, burst, daily_quota, monthly_quota, "
                                                + "version, updated_by, updated_at) values (:agent, :tool, " + values
                                                + ")");
                statement
                        .param("tool", tool)
                        .param("agent", agent == null ? null : agent.value(), Types.OTHER)
                        .param("rate", limit.ratePerSecond())
                        .param("burst", limit.burst())
                        .param("daily", limit.dailyQuota(), Types.BIGINT)
                        .param("monthly", limit.monthlyQuota(), Types.BIGINT)
                        .param("version", version + 1)
                        .param("actor", actorId)
                        .param("now", at(now))
                        .update();
                Setting saved = new Setting(tool, agent, limit, version + 1, actorId, now);
                record(
                        agent == null ? "rate_limit.default_set" : "rate_limit.override_set",
                        tool,
                        agent,
                        actorId,
                        current.map(Setting::limit).orElse(null),
                        limit);
                return saved;
            }));
        } catch (DuplicateKeyException e) {
            throw stale(expectedVersion == null ? 0 : expectedVersion, 1); // created by someone else meanwhile
        }
    }

    @Override
    public boolean removeOverride(AgentId agent, String tool, String actorId) {
        Boolean removed = transactions.execute(status -> {
            Optional<Setting> current = jdbc.sql(
                            "delete from rate_limit_override where agent_id = :agent and tool = :tool returning *")
                    .param("agent", agent.value())
                    .param("tool", tool)
                    .query(PostgresRateLimits::setting)
                    .optional();
            current.ifPresent(old -> record("rate_limit.override_removed", tool, agent, actorId, old.limit(), null));
            return current.isPresent();
        });
        expireLeases(tool, agent);
        return Boolean.TRUE.equals(removed);
    }

    private static RateLimitRefused stale(long expected, long current) {
        return new RateLimitRefused(
                "stale-version",
                ProblemKind.CONFLICT,
                "version",
                "The limit changed since version " + expected + " was read; it is at version " + current + " now");
    }

    private void record(
            String action,
            String tool,
            @Nullable AgentId agent,
            String actorId,
            @Nullable Limit before,
            @Nullable Limit after) {
        AuditActor actor = actorId.startsWith("system:")
                ? AuditActor.system(actorId.substring("system:".length()))
                : AuditActor.person(actorId);
        var event = AuditEvent.builder(
                        action, actor, new AuditTarget("rate-limit", agent == null ? tool : tool + "/" + agent))
                .tool(tool)
                .detail("agentId", agent == null ? null : agent.toString())
                .detail("old", describe(before))
                .detail("new", describe(after));
        audit.append(event.build()); // throws: the change rolls back, nothing half-written
    }

    private static String describe(@Nullable Limit limit) {
        if (limit == null) {
            return "none";
        }
        return "rate=" + limit.ratePerSecond() + "/s burst=" + limit.burst() + " daily="
                + (limit.dailyQuota() == null ? "none" : limit.dailyQuota()) + " monthly="
                + (limit.monthlyQuota() == null ? "none" : limit.monthlyQuota());
    }

    // ---- reading use --------------------------------------------------------------------------------

    @Override
    public List<Usage> usage(AgentId agent, Collection<String> tools) {
        Instant now = clock.instant();
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate month = today.withDayOfMonth(1);
        Instant dayReset = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant monthReset = month.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Usage> usage = new ArrayList<>();
        for (String tool : tools) {
            Optional<Setting> override = jdbc.sql(
                            "select * from rate_limit_override where agent_id = :agent and tool = :tool")
                    .param("agent", agent.value())
                    .param("tool", tool)
                    .query(PostgresRateLimits::setting)
                    .optional();
            Optional<Setting> byTool = override.isPresent()
                    ? Optional.empty()
                    : jdbc.sql("select * from rate_limit_default where tool = :tool")
                            .param("tool", tool)
                            .query(PostgresRateLimits::setting)
                            .optional();
            Limit limit = override.or(() -> byTool).map(Setting::limit).orElse(builtIn);
            Source source = override.isPresent() ? Source.AGENT : byTool.isPresent() ? Source.TOOL : Source.BUILT_IN;
            long[] used = jdbc.sql(
                            "select day, day_used, month, month_used from rate_counter where agent_id = :agent and tool = :tool")
                    .param("agent", agent.value())
                    .param("tool", tool)
                    .query((rs, row) -> new long[] {
                        today.equals(rs.getObject("day", LocalDate.class)) ? rs.getLong("day_used") : 0,
                        month.equals(rs.getObject("month", LocalDate.class)) ? rs.getLong("month_used") : 0
                    })
                    .optional()
                    .orElse(new long[] {0, 0});
            usage.add(new Usage(
                    tool,
                    limit,
                    source,
                    quota(limit.dailyQuota(), used[0], dayReset),
                    quota(limit.monthlyQuota(), used[1], monthReset)));
        }
        return usage;
    }

    private static Quota quota(@Nullable Long quota, long used, Instant resetsAt) {
        return new Quota(quota, used, quota == null ? null : Math.max(0, quota - used), resetsAt);
    }

    private static Setting setting(ResultSet rs, int row) throws SQLException {
        UUID agent = hasColumn(rs, "agent_id") ? rs.getObject("agent_id", UUID.class) : null;
        return new Setting(
                rs.getString("tool"),
                agent == null ? null : new AgentId(agent),
                new Limit(
                        rs.getDouble("rate_per_second"),
                        rs.getInt("burst"),
                        nullableLong(rs, "daily_quota"),
                        nullableLong(rs, "monthly_quota")),
                rs.getLong("version"),
                rs.getString("updated_by"),
                rs.getObject("updated_at", OffsetDateTime.class).toInstant());
    }

    private static boolean hasColumn(ResultSet rs, String name) throws SQLException {
        var meta = rs.getMetaData();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            if (meta.getColumnName(i).equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static @Nullable Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    // ---- lifecycle ----------------------------------------------------------------------------------

    @Override
    public synchronized void start() {
        running = true;
        ScheduledExecutorService scheduler = DaemonThreads.scheduler("warden-rate-limit-leases");
        long every = settings.leaseTtl().toMillis();
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        returnLeases(false);
                    } catch (RuntimeException e) {
                        log.warn("Could not give back expired rate-limit leases; the next sweep will", e);
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
        sweeper = scheduler;
    }

    /** Gives back every unspent quota unit this instance holds, so that stopping loses none. */
    @Override
    public synchronized void stop() {
        running = false;
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        try {
            returnLeases(true);
        } catch (RuntimeException e) {
            log.warn(
                    "Could not give back the rate-limit leases at shutdown; their unspent quota is lost for this period",
                    e);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // a low phase stops late: after the web server, so that no call spends a lease already given back
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
