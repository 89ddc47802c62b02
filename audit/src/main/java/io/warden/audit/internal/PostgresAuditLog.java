package io.warden.audit.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditWriteFailed;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The audit log in PostgreSQL with group commit. Appending threads prepare their event's canonical form
 * and its {@code COPY} columns, queue it and wait; one writer thread per instance takes whatever is queued
 * (up to {@code maxBatch}), assigns sequence numbers and hashes, streams the batch with {@code COPY}, signs
 * a checkpoint when one is due, moves the head (locking its row) and commits — one fsync for the whole
 * batch — then releases the waiting threads. Two batches can be in flight: the next one is hashed and
 * copied while the one before waits for its commit, and it moves the head only from where that one left it,
 * so it never commits unless that one did. The head-row lock keeps one gap-free chain across instances.
 *
 * <p>It owns the whole write path and nothing else: the chain is read by {@link PostgresAuditTrail} and
 * checked by {@link PostgresAuditVerifier}, neither of which touches the queue or the writer's connection.
 */
public final class PostgresAuditLog implements AuditLog, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PostgresAuditLog.class);

    /** An event waiting for the writer; {@code queuedAt} (nanoTime) starts its append latency. */
    private record Pending(
            AuditEvent event,
            RecordCodecV1.Template template,
            byte[] columns,
            CompletableFuture<AuditRecord> result,
            long queuedAt) {}

    private record Head(
            long lastSeq,
            byte[] lastHash,
            long lastCheckpointSeq,
            @Nullable Instant lastCheckpointAt) {}

    private final DataSource dataSource;
    private final Clock clock;
    private final SigningKeys.SigningKey signingKey;
    private final AuditProperties properties;
    private final BlockingQueue<Pending> queue;
    private final Timer appendLatency;
    private final MeterRegistry meters;
    private final Counter redone;
    /** Used by the writer thread only. */
    private final Chain chain = new Chain();

    private volatile boolean running;
    private List<Slot> slots = List.of();
    private @Nullable Thread writer;
    private @Nullable ScheduledExecutorService timer;

    /** A log whose meters go nowhere: for tools and tests that read no metrics. */
    public PostgresAuditLog(
            DataSource dataSource, Clock clock, SigningKeys.SigningKey signingKey, AuditProperties properties) {
        this(dataSource, clock, signingKey, properties, new CompositeMeterRegistry());
    }

    /**
     * @param meters where the append latency ({@code warden.audit.append}), the queue depth
     *               ({@code warden.audit.queue.depth}) and failed appends ({@code warden.audit.append.failed}) go
     */
    public PostgresAuditLog(
            DataSource dataSource,
            Clock clock,
            SigningKeys.SigningKey signingKey,
            AuditProperties properties,
            MeterRegistry meters) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.signingKey = signingKey;
        this.properties = properties;
        this.queue = new LinkedBlockingQueue<>(properties.queueCapacity());
        this.meters = meters;
        this.appendLatency = Timer.builder("warden.audit.append")
                .description("From an audit append being queued to its group commit (what a caller of append waits)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(properties.appendTimeout())
                .register(meters);
        Gauge.builder("warden.audit.queue.depth", queue, BlockingQueue::size)
                .description("Audit appends waiting for the writer; appends are refused at warden.audit.queue-capacity")
                .strongReference(true)
                .register(meters);
        Gauge.builder("warden.audit.queue.capacity", properties, AuditProperties::queueCapacity)
                .description("warden.audit.queue-capacity: the queue depth at which appends are refused")
                .strongReference(true)
                .register(meters);
        this.redone = Counter.builder("warden.audit.batch.rewritten")
                .description(
                        "Audit batches rolled back because the chain's head was not where they started"
                                + " (a batch ahead failed, or another instance or the checkpoint timer moved it) and written again")
                .register(meters);
        for (String reason : List.of("overloaded", "write-failed", "stopped")) {
            failed(reason); // every series exists from the start, so increase() sees the first failure
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------------

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        List<Slot> opened = new ArrayList<>(PIPELINE);
        try {
            for (int i = 0; i < PIPELINE; i++) {
                Slot slot = new Slot(i);
                opened.add(slot);
                slot.connection(); // taken now, before anything can append and while the pool is free
            }
        } catch (SQLException e) {
            opened.forEach(slot -> {
                slot.committer.shutdown();
                slot.close();
            });
            throw new IllegalStateException("The audit log could not get its database connections", e);
        }
        slots = List.copyOf(opened);
        inFlight.clear();
        toWrite.clear();
        tail = null;
        running = true;
        Thread thread = new Thread(this::writeLoop, "warden-audit-writer");
        thread.setDaemon(true);
        thread.start();
        writer = thread;
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "warden-audit-checkpoints");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(50, Math.min(1000, properties.checkpointInterval().toMillis() / 2));
        scheduler.scheduleWithFixedDelay(this::checkpointIfDue, tick, tick, TimeUnit.MILLISECONDS);
        timer = scheduler;
        log.info(
                "Audit log started; checkpoints every {} events or {}, signed with key {}",
                properties.checkpointEvery(),
                properties.checkpointInterval(),
                signingKey.keyId());
    }

    /** Stops taking appends, writes what is queued, then stops the writer. */
    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        if (timer != null) {
            timer.shutdownNow();
        }
        if (writer != null) {
            try {
                writer.join(properties.appendTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            failed("stopped").increment();
            left.result()
                    .completeExceptionally(new AuditWriteFailed("the audit log stopped before the event was written"));
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the components that append (higher phases stop first) and before the database closes. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }

    // ---- append -------------------------------------------------------------------------------------

    @Override
    public AuditRecord append(AuditEvent event) {
        CompletableFuture<AuditRecord> queued = appendQueued(event);
        try {
            return queued.get(properties.appendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = Objects.requireNonNullElse(e.getCause(), e);
            throw cause instanceof AuditWriteFailed failed
                    ? failed
                    : new AuditWriteFailed("Could not record " + event.action() + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new AuditWriteFailed(
                    "Recording " + event.action() + " took longer than " + properties.appendTimeout()
                            + "; treat it as not recorded",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditWriteFailed("Interrupted while recording " + event.action(), e);
        }
    }

    @Override
    public CompletableFuture<AuditRecord> appendQueued(AuditEvent event) {
        if (!running) {
            throw new AuditWriteFailed("The audit log is not running; " + event.action() + " was not recorded");
        }
        // the canonical form is prepared here, on the many appending threads, not on the one writer
        Pending pending = new Pending(
                event,
                RecordCodecV1.template(event),
                CopyRows.eventColumns(event),
                new CompletableFuture<>(),
                System.nanoTime());
        if (!queue.offer(pending)) {
            failed("overloaded").increment();
            throw new AuditWriteFailed("The audit log is overloaded (" + properties.queueCapacity()
                    + " appends waiting); " + event.action() + " was not recorded");
        }
        return pending.result().exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return CompletableFuture.failedFuture(
                    cause instanceof AuditWriteFailed
                            ? cause
                            : new AuditWriteFailed(
                                    "Could not record " + event.action() + ": " + cause.getMessage(), cause));
        });
    }

    private Counter failed(String reason) {
        return Counter.builder("warden.audit.append.failed")
                .tag("reason", reason)
                .description(
                        "Audit appends that failed: refused when the queue was full, failed to commit, or dropped at stop")
                .register(meters);
    }

    // ---- the writer ---------------------------------------------------------------------------------
    //
    // One thread prepares batches: it takes what is queued, numbers and hashes it from the head as it will
    // be once every batch before it has committed, and streams it to PostgreSQL with COPY on one of two
    // connections (a "slot"), each with a thread of its own that moves the head and commits. So while batch
    // n waits for its commit's WAL flush, batch n+1 is already hashed, copied and waiting for the head row.
    //
    // Order is kept by the database, not by the threads: a batch's head move locks the head row, waiting
    // while batch n holds it, and moves it only from exactly where n left it. If n does not commit, the head
    // is not where n+1 expects, nothing moves, n+1 rolls back, and it is hashed again from the head as it
    // is in the database and written anew. A batch never commits on top of one that did not.

    /** How many batches may be in flight at once: one committing, one copied and waiting for the head. */
    private static final int PIPELINE = 2;

    /** A checkpoint signed on the preparing thread, to be inserted with its batch. */
    private record Signed(long first, long last, byte[] headHash, Instant time, byte[] signature) {}

    /** A batch ready to go: its records, their COPY stream, the head move and perhaps a checkpoint. */
    private record Prepared(
            List<Pending> batch,
            List<AuditRecord> records,
            byte[] copy,
            Head from,
            Head to,
            @Nullable Signed checkpoint) {}

    /** How a batch in flight ended. */
    private enum Ending {
        /** committed; its appends have been told */
        COMMITTED,
        /** rolled back because the head was not where the batch started from; to be hashed and written again */
        HEAD_MOVED,
        /** could not be written; its appends fail */
        FAILED
    }

    private record Ended(Ending ending, @Nullable Exception error) {}

    /**
     * @param headReached done once this batch's head move has returned (or the batch ended without one): the
     *                    batch behind waits for it before its own, so that it never takes the head row first
     *                    and finds the head where this batch has not yet moved it
     */
    private record InFlight(Prepared prepared, CompletableFuture<Void> headReached, CompletableFuture<Ended> ended) {}

    /** A connection the writer keeps, and the thread that commits on it. */
    private final class Slot {
        private final ExecutorService committer;
        private @Nullable Connection connection;

        Slot(int index) {
            committer = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "warden-audit-commit-" + index);
                thread.setDaemon(true);
                return thread;
            });
        }

        /**
         * The writer's own connections, so that appending never waits for the pool: callers that hold
         * pooled connections while they append (transactional listeners do) cannot starve it.
         */
        Connection connection() throws SQLException {
            if (connection == null || connection.isClosed()) {
                Connection opened = dataSource.getConnection();
                opened.setAutoCommit(false);
                connection = opened;
            }
            return connection;
        }

        void close() {
            Connection open = connection;
            connection = null;
            if (open != null) {
                try {
                    open.rollback();
                    open.close();
                } catch (SQLException ignored) {
                    // the connection is broken already; a new one is taken for the next batch
                }
            }
        }
    }

    // Touched only by the writer thread (and the slots' state only while none of their batches is in flight).
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final ArrayDeque<List<Pending>> toWrite = new ArrayDeque<>();
    private long dispatched;
    /** Where the head will be once every batch in flight has committed; null: read it from the database. */
    private @Nullable Head tail;

    private void writeLoop() {
        try {
            while (running || !queue.isEmpty() || !inFlight.isEmpty() || !toWrite.isEmpty()) {
                reapDone();
                if (inFlight.size() >= PIPELINE) {
                    // events keep queueing meanwhile, and the next batch takes them all
                    reapOldest();
                    continue;
                }
                if (toWrite.isEmpty()) {
                    // with a batch in flight, look back soon: a failure behind it has batches to write again
                    Pending first = queue.poll(inFlight.isEmpty() ? 100 : 1, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    List<Pending> batch = new ArrayList<>(properties.maxBatch());
                    batch.add(first);
                    queue.drainTo(batch, properties.maxBatch() - 1);
                    toWrite.addLast(batch);
                }
                List<Pending> next = Objects.requireNonNull(toWrite.peekFirst());
                boolean pipelined = next.stream().allMatch(p -> p.event().sourceId() == null);
                if (!pipelined && !inFlight.isEmpty()) {
                    // a repeat of a known source id is looked up in committed rows, so nothing may be in flight
                    reapOldest();
                    continue;
                }
                toWrite.removeFirst();
                if (pipelined) {
                    dispatch(next);
                } else {
                    writeNow(next);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (List<Pending> batch : toWrite) {
                fail(batch, e);
            }
            toWrite.clear();
        } finally {
            for (InFlight each : inFlight) {
                each.ended().join(); // the slot tells its appends
            }
            for (Slot slot : slots) {
                slot.committer.shutdown();
                slot.close();
            }
        }
    }

    /** Numbers, hashes and encodes a batch from the tail, then hands it to the next slot to commit. */
    private void dispatch(List<Pending> batch) {
        Slot slot = slots.get((int) (dispatched % PIPELINE));
        Prepared prepared;
        try {
            Head from = tail != null ? tail : readHead(slot.connection()); // null only when nothing is in flight
            prepared = prepare(batch, from);
        } catch (SQLException | RuntimeException e) {
            tail = null;
            slot.close();
            log.error("Could not prepare {} audit events; their appends fail", batch.size(), e);
            fail(batch, e);
            return;
        }
        dispatched++;
        tail = prepared.to();
        InFlight ahead = inFlight.peekLast();
        CompletableFuture<Void> aheadReached =
                ahead == null ? CompletableFuture.completedFuture(null) : ahead.headReached();
        CompletableFuture<Void> reached = new CompletableFuture<>();
        inFlight.addLast(new InFlight(
                prepared,
                reached,
                CompletableFuture.supplyAsync(() -> commit(slot, prepared, aheadReached, reached), slot.committer)));
    }

    private Prepared prepare(List<Pending> batch, Head from) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<AuditRecord> records = new ArrayList<>(batch.size());
        CopyRows.Stream copy = new CopyRows.Stream(batch.size());
        long sequence = from.lastSeq();
        byte[] previous = from.lastHash();
        for (Pending pending : batch) {
            sequence++;
            byte[] hash = chain.next(previous, pending.template().fill(sequence, now));
            AuditRecord record = new AuditRecord(sequence, now, RecordCodecV1.VERSION, pending.event(), hash);
            copy.add(record, pending.columns());
            records.add(record);
            previous = hash;
        }
        boolean checkpoint = sequence - from.lastCheckpointSeq() >= properties.checkpointEvery();
        Signed signed = null;
        Head to = new Head(sequence, previous, from.lastCheckpointSeq(), from.lastCheckpointAt());
        if (checkpoint) {
            long first = from.lastCheckpointSeq() + 1;
            signed = new Signed(
                    first,
                    sequence,
                    previous,
                    now,
                    signingKey.sign(
                            CheckpointCodecV1.signedPayload(first, sequence, previous, now, signingKey.keyId())));
            to = new Head(sequence, previous, sequence, now);
        }
        return new Prepared(batch, records, copy.finish(), from, to, signed);
    }

    /**
     * On the slot's thread: copy, checkpoint, then (once the batch ahead has moved the head) move the head from
     * where the batch started, and commit.
     */
    private Ended commit(
            Slot slot, Prepared prepared, CompletableFuture<Void> aheadReached, CompletableFuture<Void> reached) {
        try {
            Connection connection = slot.connection();
            connection
                    .unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(CopyRows.COPY_SQL, new ByteArrayInputStream(prepared.copy()));
            Signed checkpoint = prepared.checkpoint();
            if (checkpoint != null) {
                insertCheckpoint(connection, checkpoint);
            }
            aheadReached.join();
            boolean moved = moveHeadAfter(connection, prepared.from(), prepared.to());
            reached.complete(null);
            if (!moved) {
                // a batch ahead did not commit, or another writer (another instance, the checkpoint timer)
                // moved the head
                connection.rollback();
                return new Ended(Ending.HEAD_MOVED, null);
            }
            connection.commit();
        } catch (SQLException | IOException | RuntimeException e) {
            String state = e instanceof SQLException sql ? sql.getSQLState() : null;
            if (UNIQUE_VIOLATION.equals(state) || DEADLOCK.equals(state)) {
                // another instance took these sequence numbers first: the head has moved
                rollback(slot);
                return new Ended(Ending.HEAD_MOVED, null);
            }
            slot.close();
            return new Ended(Ending.FAILED, e instanceof Exception x ? x : new IllegalStateException(e));
        } finally {
            reached.complete(null);
        }
        committed(prepared.batch(), prepared.records());
        return new Ended(Ending.COMMITTED, null);
    }

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String DEADLOCK = "40P01";

    private static void rollback(Slot slot) {
        try {
            slot.connection().rollback();
        } catch (SQLException e) {
            slot.close();
        }
    }

    /** Tells the appends of a committed batch their records; timed before anyone is told, so a caller that returns sees its append counted. */
    private void committed(List<Pending> batch, List<AuditRecord> records) {
        long now = System.nanoTime();
        for (Pending each : batch) {
            appendLatency.record(now - each.queuedAt(), TimeUnit.NANOSECONDS);
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(records.get(i));
        }
    }

    private void fail(List<Pending> batch, Throwable e) {
        failed("write-failed").increment(batch.size());
        batch.forEach(p -> p.result().completeExceptionally(e));
    }

    /** Handles the batches in flight that have ended, oldest first, without waiting. */
    private void reapDone() {
        while (!inFlight.isEmpty()
                && Objects.requireNonNull(inFlight.peekFirst()).ended().isDone()) {
            reapOldest();
        }
    }

    /**
     * Waits for the oldest batch in flight. When it did not commit, nothing behind it can (their head moves
     * start from where it would have left the head): they are awaited too, and every batch that was rolled
     * back for the head goes back to the front of the line, in order, to be hashed again from the database.
     */
    private void reapOldest() {
        InFlight oldest = inFlight.removeFirst();
        Ended ended = oldest.ended().join();
        if (ended.ending() == Ending.COMMITTED) {
            return;
        }
        List<InFlight> doomed = new ArrayList<>();
        doomed.add(oldest);
        doomed.addAll(inFlight);
        inFlight.clear();
        tail = null;
        List<List<Pending>> again = new ArrayList<>();
        for (InFlight each : doomed) {
            Ended outcome = each.ended().join();
            switch (outcome.ending()) {
                case COMMITTED -> log.error("An audit batch committed behind one that did not; verify the chain");
                case HEAD_MOVED -> again.add(each.prepared().batch());
                case FAILED -> {
                    log.error(
                            "Could not write {} audit events; their appends fail",
                            each.prepared().batch().size(),
                            outcome.error());
                    fail(each.prepared().batch(), Objects.requireNonNull(outcome.error()));
                }
            }
        }
        if (!again.isEmpty()) {
            redone.increment(again.size());
        }
        for (int i = again.size() - 1; i >= 0; i--) {
            toWrite.addFirst(again.get(i));
        }
    }

    /**
     * Writes a batch that repeats known source ids, with nothing in flight, in one transaction on the first
     * slot's connection, and tells its appends. The head is moved first, on the condition that it is where
     * this writer last left it; when another writer moved it meanwhile, the transaction is rolled back and
     * redone from the current head.
     */
    private void writeNow(List<Pending> batch) {
        Slot slot = slots.get(0);
        List<AuditEvent> events = batch.stream().map(Pending::event).toList();
        try {
            Connection connection = slot.connection();
            for (int attempt = 0; ; attempt++) {
                Head head = tail != null && attempt == 0 ? tail : readHead(connection);
                Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
                Map<String, AuditRecord> known = findBySource(connection, events);
                List<AuditRecord> results = new ArrayList<>(events.size());
                CopyRows.Stream copy = new CopyRows.Stream(batch.size());
                long sequence = head.lastSeq();
                byte[] previous = head.lastHash();
                for (Pending pending : batch) {
                    AuditEvent event = pending.event();
                    AuditRecord earlier = event.sourceId() == null ? null : known.get(event.sourceId());
                    if (earlier != null) {
                        results.add(earlier);
                        continue;
                    }
                    sequence++;
                    byte[] hash = chain.next(previous, pending.template().fill(sequence, now));
                    AuditRecord record = new AuditRecord(sequence, now, RecordCodecV1.VERSION, event, hash);
                    copy.add(record, pending.columns());
                    results.add(record);
                    if (event.sourceId() != null) {
                        known.put(event.sourceId(), record);
                    }
                    previous = hash;
                }
                if (sequence == head.lastSeq()) {
                    connection.commit();
                    tail = head;
                    committed(batch, results);
                    return;
                }
                boolean checkpoint = sequence - head.lastCheckpointSeq() >= properties.checkpointEvery();
                Head moved = checkpoint
                        ? new Head(sequence, previous, sequence, now)
                        : new Head(sequence, previous, head.lastCheckpointSeq(), head.lastCheckpointAt());
                if (!moveHead(connection, head, moved)) {
                    connection.rollback();
                    tail = null;
                    continue;
                }
                connection
                        .unwrap(PGConnection.class)
                        .getCopyAPI()
                        .copyIn(CopyRows.COPY_SQL, new ByteArrayInputStream(copy.finish()));
                if (checkpoint) {
                    sign(connection, head.lastCheckpointSeq() + 1, sequence, previous, now);
                }
                connection.commit();
                tail = moved;
                committed(batch, results);
                return;
            }
        } catch (SQLException | IOException | RuntimeException e) {
            tail = null;
            slot.close();
            log.error("Could not write {} audit events; their appends fail", batch.size(), e);
            fail(batch, e);
        }
    }

    /** Signs a checkpoint over the unsigned tail when the interval has passed; run by the timer. */
    void checkpointIfDue() {
        checkpointIfOlderThan(properties.checkpointInterval());
    }

    /**
     * Signs a checkpoint over the unsigned tail, if there is one, when the last checkpoint is at least {@code age}
     * old: with {@link Duration#ZERO}, now. Anchoring calls it on its own timer so that a quiet trail is still
     * anchored that often. Never throws: a failure is logged and the next call tries again.
     */
    public void checkpointIfOlderThan(Duration age) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Head head = lockHead(connection);
                Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
                boolean unsigned = head.lastSeq() > head.lastCheckpointSeq();
                boolean due = head.lastCheckpointAt() == null
                        || !now.isBefore(head.lastCheckpointAt().plus(age));
                if (unsigned && due) {
                    sign(connection, head.lastCheckpointSeq() + 1, head.lastSeq(), head.lastHash(), now);
                    moveHead(connection, head, new Head(head.lastSeq(), head.lastHash(), head.lastSeq(), now));
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (Exception e) {
            log.warn("Could not sign a due audit checkpoint; will try again", e);
        }
    }

    private Head lockHead(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                        "select last_seq, last_hash, last_checkpoint_seq, last_checkpoint_at from audit_head where id = 1 for update");
                ResultSet rs = statement.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the audit_head row is missing: the audit schema is damaged");
            }
            OffsetDateTime at = rs.getObject(4, OffsetDateTime.class);
            return new Head(rs.getLong(1), rs.getBytes(2), rs.getLong(3), at == null ? null : at.toInstant());
        }
    }

    private Head readHead(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                        "select last_seq, last_hash, last_checkpoint_seq, last_checkpoint_at from audit_head where id = 1");
                ResultSet rs = statement.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the audit_head row is missing: the audit schema is damaged");
            }
            OffsetDateTime at = rs.getObject(4, OffsetDateTime.class);
            return new Head(rs.getLong(1), rs.getBytes(2), rs.getLong(3), at == null ? null : at.toInstant());
        }
    }

    /** Moves the head from {@code from} to {@code to}; false when the head is no longer at {@code from}. */
    private static boolean moveHead(Connection connection, Head from, Head to) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                update audit_head set last_seq = ?, last_hash = ?, last_checkpoint_seq = ?, last_checkpoint_at = ?
                where id = 1 and last_seq = ? and last_hash = ? and last_checkpoint_seq = ?""")) {
            bindHeadMove(statement, from, to);
            return statement.executeUpdate() == 1;
        }
    }

    private static void bindHeadMove(PreparedStatement statement, Head from, Head to) throws SQLException {
        statement.setLong(1, to.lastSeq());
        statement.setBytes(2, to.lastHash());
        statement.setLong(3, to.lastCheckpointSeq());
        statement.setObject(
                4,
                to.lastCheckpointAt() == null ? null : OffsetDateTime.ofInstant(to.lastCheckpointAt(), ZoneOffset.UTC));
        statement.setLong(5, from.lastSeq());
        statement.setBytes(6, from.lastHash());
        statement.setLong(7, from.lastCheckpointSeq());
    }

    private void sign(Connection connection, long first, long last, byte[] headHash, Instant now) throws SQLException {
        byte[] signature =
                signingKey.sign(CheckpointCodecV1.signedPayload(first, last, headHash, now, signingKey.keyId()));
        try (PreparedStatement statement = connection.prepareStatement("""
                insert into audit_checkpoint (last_seq, first_seq, head_hash, time, key_id, signature)
                values (?, ?, ?, ?, ?, ?)""")) {
            statement.setLong(1, last);
            statement.setLong(2, first);
            statement.setBytes(3, headHash);
            statement.setObject(4, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            statement.setString(5, signingKey.keyId());
            statement.setBytes(6, signature);
            statement.executeUpdate();
        }
    }

    /**
     * Moves the head from {@code from} to {@code to}, first waiting for the head row while a batch ahead
     * holds it; false (nothing moved) when the head is not at {@code from} once that batch has committed or
     * rolled back. The row is locked in the statement's {@code WITH}: {@code FOR UPDATE} waits and then
     * reads the row as the batch ahead left it, where a plain {@code WHERE} would be checked against the row
     * as it was before that batch committed and never match.
     */
    private static boolean moveHeadAfter(Connection connection, Head from, Head to) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                with locked as (
                    select last_seq, last_hash, last_checkpoint_seq from audit_head where id = 1 for update)
                update audit_head set last_seq = ?, last_hash = ?, last_checkpoint_seq = ?, last_checkpoint_at = ?
                from locked
                where audit_head.id = 1 and locked.last_seq = ? and locked.last_hash = ?
                    and locked.last_checkpoint_seq = ?""")) {
            bindHeadMove(statement, from, to);
            return statement.executeUpdate() == 1;
        }
    }

    private void insertCheckpoint(Connection connection, Signed checkpoint) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                insert into audit_checkpoint (last_seq, first_seq, head_hash, time, key_id, signature)
                values (?, ?, ?, ?, ?, ?)""")) {
            statement.setLong(1, checkpoint.last());
            statement.setLong(2, checkpoint.first());
            statement.setBytes(3, checkpoint.headHash());
            statement.setObject(4, OffsetDateTime.ofInstant(checkpoint.time(), ZoneOffset.UTC));
            statement.setString(5, signingKey.keyId());
            statement.setBytes(6, checkpoint.signature());
            statement.executeUpdate();
        }
    }

    private Map<String, AuditRecord> findBySource(Connection connection, List<AuditEvent> events) throws SQLException {
        List<String> sources = events.stream()
                .map(AuditEvent::sourceId)
                .filter(Objects::nonNull)
                .toList();
        Map<String, AuditRecord> found = new HashMap<>();
        if (sources.isEmpty()) {
            return found;
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "select " + AuditRows.COLUMNS + " from audit_event where source_id = any(?)")) {
            statement.setArray(1, connection.createArrayOf("text", sources.toArray()));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    AuditRecord record = AuditRows.map(rs);
                    found.put(record.event().sourceId(), record);
                }
            }
        }
        return found;
    }
}
