package io.warden.audit.internal.anchoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.warden.audit.AuditAnchoring;
import io.warden.audit.internal.CheckpointCodecV1;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Time-stamps signed checkpoints after they commit, on a thread of its own: it never touches the writer's
 * queue, connection or transaction, so an authority that is slow or down never holds up an append. Each
 * round it looks for checkpoints newer than the last anchored one (oldest first, so tokens stay in sequence
 * order), asks the authorities in turn for a token over the checkpoint's signed bytes, and stores the first
 * good one. Every {@code every} it first has a checkpoint signed over any unsigned events, so that even a
 * quiet trail is anchored that often. When no authority answers, it retries with a growing pause (up to
 * {@code every}), counts {@code warden.audit.anchoring.failures}, and says so in {@link #status()}.
 * With no authority configured it does nothing and reports anchoring off.
 */
public final class CheckpointAnchorer implements AuditAnchoring, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CheckpointAnchorer.class);
    private static final int ROUND = 200;

    private final DataSource dataSource;
    private final Clock clock;
    private final List<TimeStampAuthority> authorities;
    private final Runnable signUnsignedTail;
    private final AnchoringProperties properties;
    private final Counter anchored;
    private final MeterRegistry meters;

    private volatile boolean running;
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable Instant nextTailCheckpoint;
    private @Nullable Instant retryAt;
    private volatile long lastAnchoredSequence;
    private volatile @Nullable Instant lastAnchoredAt;
    private volatile long pending;
    private volatile @Nullable Instant oldestPendingAt;
    private volatile long consecutiveFailures;
    private volatile @Nullable String lastFailure;

    /**
     * @param signUnsignedTail signs a checkpoint over the events after the last one, if there are any (the audit
     *                         log's {@code checkpointIfOlderThan(Duration.ZERO)})
     */
    public CheckpointAnchorer(
            DataSource dataSource,
            Clock clock,
            List<TimeStampAuthority> authorities,
            Runnable signUnsignedTail,
            AnchoringProperties properties,
            MeterRegistry meters) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.authorities = List.copyOf(authorities);
        this.signUnsignedTail = signUnsignedTail;
        this.properties = properties;
        this.meters = meters;
        this.anchored = Counter.builder("warden.audit.anchoring.anchored")
                .description("Checkpoints given an RFC 3161 time-stamp token")
                .register(meters);
        Gauge.builder("warden.audit.anchoring.pending", this, a -> a.pending)
                .description("Signed checkpoints waiting for a time-stamp token")
                .register(meters);
        Gauge.builder("warden.audit.anchoring.unanchored.seconds", this, CheckpointAnchorer::unanchoredSeconds)
                .description("How long the oldest checkpoint without a time-stamp token has waited (0 when none)")
                .register(meters);
        Gauge.builder("warden.audit.anchoring.enabled", this, a -> a.authorities.isEmpty() ? 0 : 1)
                .description("1 when a time-stamp authority is configured")
                .register(meters);
        for (TimeStampAuthority authority : authorities) {
            failures(authority.name()); // every series exists from the start, so increase() sees the first failure
        }
    }

    private Counter failures(String authority) {
        return Counter.builder("warden.audit.anchoring.failures")
                .tag("authority", authority)
                .description("Time-stamp requests that gave no usable token (unreachable, refused, bad token)")
                .register(meters);
    }

    private double unanchoredSeconds() {
        Instant oldest = oldestPendingAt;
        return oldest == null
                ? 0
                : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
    }

    @Override
    public Status status() {
        return new Status(
                !authorities.isEmpty(),
                authorities.stream().map(TimeStampAuthority::name).toList(),
                properties.every(),
                lastAnchoredSequence,
                lastAnchoredAt,
                pending,
                consecutiveFailures,
                lastFailure);
    }

    // ---- lifecycle ----------------------------------------------------------------------------------

    @Override
    public synchronized void start() {
        if (running || authorities.isEmpty()) {
            if (authorities.isEmpty()) {
                log.warn("Audit anchoring is off: no RFC 3161 time-stamp authority (warden.audit.anchoring.tsa-urls)");
            }
            return;
        }
        running = true;
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "warden-audit-anchoring");
            thread.setDaemon(true);
            return thread;
        });
        long tick = properties.poll().toMillis();
        executor.scheduleWithFixedDelay(this::round, 0, tick, TimeUnit.MILLISECONDS);
        scheduler = executor;
        log.info(
                "Audit anchoring on: checkpoints time-stamped by {}, at least every {}",
                status().authorities(),
                properties.every());
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(properties.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts after the audit log (it signs checkpoints through it) and stops before it. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 2000;
    }

    // ---- rounds -------------------------------------------------------------------------------------

    /** One round: sign the unsigned tail when due, then anchor what is pending. Run by the scheduler. */
    void round() {
        try {
            Instant now = clock.instant();
            if (nextTailCheckpoint == null || !now.isBefore(nextTailCheckpoint)) {
                signUnsignedTail.run();
                nextTailCheckpoint = now.plus(properties.every());
            }
            if (retryAt != null && now.isBefore(retryAt)) {
                return;
            }
            anchorPending();
        } catch (RuntimeException e) {
            log.warn("Audit anchoring round failed; will try again", e);
        }
    }

    /** Anchors every pending checkpoint it can; returns how many it anchored. Public for tests and benchmarks. */
    public int anchorPending() {
        int done = 0;
        while (true) {
            List<PendingCheckpoint> found;
            try {
                found = pendingCheckpoints();
            } catch (SQLException e) {
                lastFailure = "could not read the checkpoints: " + e.getMessage();
                return done;
            }
            if (found.isEmpty()) {
                pending = 0;
                oldestPendingAt = null;
                return done;
            }
            pending = found.size();
            oldestPendingAt = found.getFirst().time();
            for (PendingCheckpoint checkpoint : found) {
                if (!anchor(checkpoint)) {
                    return done;
                }
                done++;
            }
            if (found.size() < ROUND) {
                pending = 0;
                oldestPendingAt = null;
                return done;
            }
        }
    }

    private boolean anchor(PendingCheckpoint checkpoint) {
        byte[] digest = TimestampVerifier.sha256(checkpoint.signedPayload());
        List<String> reasons = new ArrayList<>();
        for (TimeStampAuthority authority : authorities) {
            byte[] token;
            try {
                token = authority.timestamp(digest);
            } catch (TimeStampAuthority.TimestampFailed e) {
                failures(authority.name()).increment();
                reasons.add(e.getMessage());
                continue;
            }
            try {
                store(checkpoint.lastSequence(), authority.name(), token);
            } catch (SQLException e) {
                reasons.add("the token could not be stored: " + e.getMessage());
                break;
            }
            anchored.increment();
            lastAnchoredSequence = checkpoint.lastSequence();
            lastAnchoredAt = TimestampVerifier.genTime(token);
            consecutiveFailures = 0;
            lastFailure = null;
            retryAt = null;
            return true;
        }
        long failuresInARow = ++consecutiveFailures;
        lastFailure = String.join("; ", reasons);
        // a growing pause, so an authority that is down is not hammered, but never longer than the bound
        long pause = Math.min(
                properties.every().toMillis(), properties.poll().toMillis() << Math.min(10, failuresInARow - 1));
        retryAt = clock.instant().plusMillis(pause);
        log.warn(
                "Could not anchor the audit checkpoint ending at {} ({} rounds in a row); retrying in {} ms: {}",
                checkpoint.lastSequence(),
                failuresInARow,
                pause,
                lastFailure);
        return false;
    }

    private record PendingCheckpoint(
            long firstSequence, long lastSequence, byte[] headHash, Instant time, String keyId) {
        byte[] signedPayload() {
            return CheckpointCodecV1.signedPayload(firstSequence, lastSequence, headHash, time, keyId);
        }
    }

    /**
     * Checkpoints after the last anchored one, oldest first; older checkpoints than {@code max-delay} could not be
     * anchored in time, so they are left.
     */
    private List<PendingCheckpoint> pendingCheckpoints() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("""
                        select first_seq, last_seq, head_hash, time, key_id from audit_checkpoint
                        where last_seq > (select coalesce(max(last_seq), 0) from audit_checkpoint_timestamp)
                          and time > ?
                        order by last_seq limit ?""")) {
            statement.setObject(
                    1,
                    OffsetDateTime.ofInstant(
                            clock.instant().minus(properties.maxDelay()).plus(properties.every()), ZoneOffset.UTC));
            statement.setInt(2, ROUND);
            List<PendingCheckpoint> found = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    found.add(new PendingCheckpoint(
                            rs.getLong(1),
                            rs.getLong(2),
                            rs.getBytes(3),
                            rs.getObject(4, OffsetDateTime.class).toInstant(),
                            rs.getString(5)));
                }
            }
            if (lastAnchoredSequence == 0) {
                readLastAnchored(connection);
            }
            return found;
        }
    }

    private void readLastAnchored(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                        "select last_seq, gen_time from audit_checkpoint_timestamp order by last_seq desc limit 1");
                ResultSet rs = statement.executeQuery()) {
            if (rs.next()) {
                lastAnchoredSequence = rs.getLong(1);
                lastAnchoredAt = rs.getObject(2, OffsetDateTime.class).toInstant();
            }
        }
    }

    private void store(long lastSequence, String authority, byte[] token) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("""
                        insert into audit_checkpoint_timestamp (last_seq, authority, gen_time, token)
                        values (?, ?, ?, ?) on conflict (last_seq) do nothing""")) {
            statement.setLong(1, lastSequence);
            statement.setString(2, authority);
            statement.setObject(3, OffsetDateTime.ofInstant(TimestampVerifier.genTime(token), ZoneOffset.UTC));
            statement.setBytes(4, token);
            statement.executeUpdate();
        }
    }
}
