package io.warden.audit.internal.siem;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.warden.audit.AuditRecord;
import io.warden.audit.internal.TrailRange;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the trail to one sink, at least once, in sequence order, on a thread of its own.
 *
 * <p>Each round takes (or renews) the sink's lease, reads the records after what was sent, delivers them and moves
 * the durable cursor to what the receiver accepted. A failure drops the connection, goes back to the durable cursor
 * and waits (backoff doubling from {@code backoff-initial} to {@code backoff-max}); a restart starts from the durable
 * cursor too. So nothing after the cursor is ever skipped, and a receiver sees repeats only of what it may already
 * have: the sequence number in every message lets it drop them.
 *
 * <p>Meters, tagged {@code sink}: {@code warden.audit.siem.lag.events} (head − cursor), {@code
 * warden.audit.siem.lag.seconds} (age of the oldest record not yet accepted), {@code warden.audit.siem.delivered},
 * {@code warden.audit.siem.failures}. Start and stop are thread-safe; the rest runs on the streamer's thread.
 */
public final class SiemStreamer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SiemStreamer.class);

    private final DataSource dataSource;
    private final SiemProperties properties;
    private final String name;
    private final SiemSink sink;
    private final String holder;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final AtomicLong lagEvents = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();
    private final AtomicLong cursorSeen = new AtomicLong();
    private final Counter delivered;
    private final Counter failures;
    private volatile boolean stopped;
    private volatile boolean leading;
    /** The durable cursor as this instance last wrote or read it. */
    private long cursor;
    /** The last sequence number handed to the sink; after a failure, back to {@link #cursor}. */
    private long sent;

    private int failuresInARow;

    SiemStreamer(
            DataSource dataSource,
            SiemProperties properties,
            SiemProperties.Sink settings,
            SiemSink sink,
            String holder,
            Clock clock,
            MeterRegistry meters) {
        this.dataSource = dataSource;
        this.properties = properties;
        this.name = settings.name();
        this.sink = sink;
        this.holder = holder;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("warden-siem-" + name).daemon().factory());
        Gauge.builder("warden.audit.siem.lag.events", lagEvents, AtomicLong::get)
                .tag("sink", name)
                .description("records in the trail the sink has not accepted yet (head minus cursor)")
                .register(meters);
        Gauge.builder("warden.audit.siem.lag.seconds", lagMillis, millis -> millis.get() / 1000.0)
                .tag("sink", name)
                .description("age of the oldest record the sink has not accepted yet")
                .register(meters);
        this.delivered = Counter.builder("warden.audit.siem.delivered")
                .tag("sink", name)
                .description("records the sink accepted (repeats after a failure included)")
                .register(meters);
        this.failures = Counter.builder("warden.audit.siem.failures")
                .tag("sink", name)
                .description("failed deliveries; each is retried after a backoff")
                .register(meters);
    }

    /** A streamer for {@code settings} with the sink its kind names; call {@link #start}. */
    public static SiemStreamer create(
            DataSource dataSource,
            SiemProperties properties,
            SiemProperties.Sink settings,
            String holder,
            Clock clock,
            MeterRegistry meters) {
        return new SiemStreamer(
                dataSource, properties, settings, sink(settings, properties, clock), holder, clock, meters);
    }

    static SiemSink sink(SiemProperties.Sink settings, SiemProperties properties, Clock clock) {
        return switch (settings.kind()) {
            case SYSLOG -> new SyslogSink(settings, clock, properties.confirmAfter());
            case OTLP -> HttpSinks.otlp(settings);
            case WEBHOOK -> HttpSinks.webhook(settings, clock);
        };
    }

    public void start() {
        schedule(Duration.ZERO);
    }

    /** Stops streaming, drops the connection and gives the lease up; what was accepted stays in the cursor. */
    @Override
    public void close() {
        stopped = true;
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        sink.close();
        try (Connection connection = dataSource.getConnection()) {
            SiemCursors.release(connection, name, holder);
        } catch (SQLException e) {
            log.warn(
                    "Could not give up the lease of SIEM sink {}; another instance takes over when it expires",
                    name,
                    e);
        }
    }

    /** Records in the trail this sink has not accepted, as of the last round. */
    public long lagEvents() {
        return lagEvents.get();
    }

    /** Whether this instance held the sink's lease in its last round. */
    boolean leading() {
        return leading;
    }

    /** The durable cursor as of the last round. */
    public long cursor() {
        return cursorSeen.get();
    }

    private void schedule(Duration delay) {
        if (stopped) {
            return;
        }
        try {
            executor.schedule(this::round, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // close() won the race; nothing more to schedule
        }
    }

    private void round() {
        if (stopped) {
            return;
        }
        Duration next;
        try {
            next = step();
            failuresInARow = 0;
        } catch (IOException | SQLException | RuntimeException e) {
            failures.increment();
            failuresInARow++;
            sink.close();
            sent = cursor;
            next = backoff();
            measureAfterFailure();
            log.warn(
                    "SIEM sink {}: delivery after sequence {} failed ({} in a row); again in {}: {}",
                    name,
                    cursor,
                    failuresInARow,
                    next,
                    e.toString());
        }
        schedule(next);
    }

    private Duration step() throws IOException, SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            OptionalLong held = SiemCursors.acquire(connection, name, holder, properties.lease());
            if (held.isEmpty()) {
                // another instance streams this sink; stand by and watch its progress
                if (leading) {
                    log.info("SIEM sink {}: another instance holds the lease now", name);
                    sink.close();
                }
                leading = false;
                measure(connection, SiemCursors.cursor(connection, name));
                return properties.pollInterval();
            }
            if (!leading) {
                // a fresh start or a takeover: continue from the durable cursor, never from memory
                leading = true;
                cursor = held.getAsLong();
                sent = cursor;
            }
            List<AuditRecord> batch = TrailRange.after(connection, sent, properties.batchSize());
            long accepted = sink.deliver(batch);
            if (!batch.isEmpty()) {
                sent = batch.getLast().sequence();
            }
            if (accepted > cursor) {
                if (!SiemCursors.advance(connection, name, holder, accepted, properties.lease())) {
                    leading = false;
                    throw new IllegalStateException("lost the lease of SIEM sink " + name + " to another instance");
                }
                delivered.increment(accepted - cursor);
                cursor = accepted;
            }
            measure(connection, cursor);
            return batch.size() == properties.batchSize() ? Duration.ZERO : properties.pollInterval();
        }
    }

    /** The lag grows while a receiver is down: that is when operators need to see it. */
    private void measureAfterFailure() {
        try (Connection connection = dataSource.getConnection()) {
            measure(connection, cursor);
        } catch (SQLException | RuntimeException e) {
            log.debug("SIEM sink {}: could not measure the lag", name, e);
        }
    }

    private void measure(Connection connection, long at) throws SQLException {
        long head = TrailRange.head(connection);
        cursorSeen.set(at);
        lagEvents.set(Math.max(0, head - at));
        if (head > at) {
            Instant oldest = TrailRange.timeOf(connection, at + 1).orElse(clock.instant());
            lagMillis.set(Math.max(0, Duration.between(oldest, clock.instant()).toMillis()));
        } else {
            lagMillis.set(0);
        }
    }

    private Duration backoff() {
        Duration wait = properties.backoffInitial();
        for (int i = 1; i < failuresInARow && wait.compareTo(properties.backoffMax()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(properties.backoffMax()) > 0 ? properties.backoffMax() : wait;
    }
}
