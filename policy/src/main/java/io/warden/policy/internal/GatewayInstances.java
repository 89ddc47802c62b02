package io.warden.policy.internal;

import io.warden.policy.Propagation;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The live Warden instances, as each reports itself in {@code gateway_instance}: its id, a name people can read
 * (host and port), when it was last seen, and the last policy change it has applied. An instance is live when it
 * was seen within {@link #LIVE_WINDOW}. Requests that narrow what agents may do wait here, a bounded time, until
 * every live instance has confirmed the change. Thread-safe.
 */
final class GatewayInstances {

    /** An instance not seen for this long is taken for dead; each live one reports itself every few seconds. */
    static final Duration LIVE_WINDOW = Duration.ofSeconds(30);

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final String id = "warden-" + UUID.randomUUID();
    private final String name;
    private final Duration wait;

    /**
     * @param name how people see this instance (host and port, unless configured)
     * @param wait how long a narrowing request waits for every live instance to confirm (100 ms by default)
     */
    GatewayInstances(JdbcClient jdbc, Clock clock, String name, Duration wait) {
        if (wait.isNegative() || wait.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("warden.policy.propagation-wait is between 0 and 10 s; got " + wait);
        }
        this.jdbc = jdbc;
        this.clock = clock;
        this.name = name;
        this.wait = wait;
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** Says this instance is alive (best effort is not enough here: a failure propagates to the caller's retry). */
    void heartbeat() {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("""
                insert into gateway_instance (id, name, seen_at) values (:id, :name, :now)
                on conflict (id) do update set seen_at = :now, name = :name""").param("id", id).param("name", name).param("now", now).update();
    }

    /** Records that this instance applies every policy change up to {@code seq}. */
    void applied(long seq) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("""
                insert into gateway_instance (id, name, seen_at, applied_change) values (:id, :name, :now, :seq)
                on conflict (id) do update set seen_at = :now, applied_change = greatest(gateway_instance.applied_change, :seq)""")
                .param("id", id)
                .param("name", name)
                .param("now", now)
                .param("seq", seq)
                .update();
    }

    /** Leaves the set of live instances at once (a clean stop), so that nobody waits for it. */
    void leave() {
        jdbc.sql("delete from gateway_instance where id = :id").param("id", id).update();
    }

    /** A live instance: its id and the name people see. */
    record Live(String id, String name) {}

    /** The instances seen within {@link #LIVE_WINDOW}, by name. */
    List<Live> live() {
        return jdbc.sql(
                        "select id, coalesce(name, id) as name from gateway_instance where seen_at >= :since order by name")
                .param("since", Timestamp.from(clock.instant().minus(LIVE_WINDOW)))
                .query((rs, row) -> new Live(rs.getString("id"), rs.getString("name")))
                .list();
    }

    /** Waits until every live instance has applied policy change {@code seq}, or the bound passes. */
    Propagation awaitChange(long seq) {
        return await("""
                select coalesce(name, id) as name, applied_change >= :target as confirmed from gateway_instance
                where seen_at >= :since order by name""", seq, null);
    }

    /** Waits until every live instance has applied kill switch {@code switchId}, or the bound passes. */
    Propagation awaitSwitch(UUID switchId) {
        return await("""
                select coalesce(i.name, i.id) as name,
                       exists (select 1 from kill_switch_applied a where a.switch_id = :switch and a.instance_id = i.id) as confirmed
                from gateway_instance i where i.seen_at >= :since and :target = :target order by 1""", 0, switchId);
    }

    private Propagation await(String sql, long target, @Nullable UUID switchId) {
        long started = System.nanoTime();
        long deadline = started + wait.toNanos();
        while (true) {
            Instant since = clock.instant().minus(LIVE_WINDOW);
            List<String> confirmed = new ArrayList<>();
            List<String> unconfirmed = new ArrayList<>();
            var statement = jdbc.sql(sql).param("target", target).param("since", Timestamp.from(since));
            if (switchId != null) {
                statement = statement.param("switch", switchId);
            }
            statement
                    .query((rs, row) ->
                            (rs.getBoolean("confirmed") ? confirmed : unconfirmed).add(rs.getString("name")))
                    .list();
            long now = System.nanoTime();
            if (unconfirmed.isEmpty() || now >= deadline) {
                return new Propagation(confirmed, unconfirmed, Duration.ofNanos(now - started));
            }
            LockSupport.parkNanos(Math.min(POLL_NANOS, deadline - now));
        }
    }
}
