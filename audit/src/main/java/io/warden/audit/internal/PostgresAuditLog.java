package io.warden.audit.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditWriteFailed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The audit log in PostgreSQL with group commit. Appending threads queue their events and wait; one
 * writer thread per instance takes whatever is queued (up to {@code maxBatch}), locks the chain's head
 * row, assigns sequence numbers and hashes, inserts the batch, signs a checkpoint when one is due, moves
 * the head and commits — one fsync for the whole batch — then releases the waiting threads. The head-row
 * lock keeps one gap-free chain across instances.
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
            CompletableFuture<AuditRecord> result,
            long queuedAt,
            @Nullable TraceContext origin) {}

    /** A batch span links at most this many of the spans that appended to it: enough to find a caller's commit. */
    static final int MAX_SPAN_LINKS = 64;

    static final String WRITE_SPAN = "warden.audit.write";

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
    private final Tracer tracer;
    private final Chain chain = new Chain();
    private volatile boolean running;
    /** Where this instance's writer last left the head; only the writer thread touches it. */
    private volatile @Nullable Head cachedHead;

    private @Nullable Connection writerConnection;
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
        this(dataSource, clock, signingKey, properties, meters, Tracer.NOOP);
    }

    /**
     * @param tracer where the writer's spans go: one {@value #WRITE_SPAN} span per group commit, linked to the spans
     *               of the appends it commits; {@link Tracer#NOOP} (tracing off) opens none
     */
    public PostgresAuditLog(
            DataSource dataSource,
            Clock clock,
            SigningKeys.SigningKey signingKey,
            AuditProperties properties,
            MeterRegistry meters,
            Tracer tracer) {
        this.tracer = tracer;
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
        try {
            writerConnection(); // taken now, before anything can append and while the pool is free
        } catch (SQLException e) {
            throw new IllegalStateException("The audit log could not get its database connection", e);
        }
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
                event, RecordCodecV1.template(event), new CompletableFuture<>(), System.nanoTime(), origin());
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

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(properties.maxBatch());
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, properties.maxBatch() - 1);
                List<AuditRecord> written = tracedWrite(batch);
                long committed = System.nanoTime();
                for (Pending each :
                        batch) { // timed before anyone is told, so a caller that returns sees its append counted
                    appendLatency.record(committed - each.queuedAt(), TimeUnit.NANOSECONDS);
                }
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).result().complete(written.get(i));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(p -> p.result().completeExceptionally(e));
                return;
            } catch (Exception e) {
                log.error("Could not write {} audit events; their appends fail", batch.size(), e);
                failed("write-failed").increment(batch.size());
                batch.forEach(p -> p.result().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        closeWriterConnection();
    }

    /** The span context an append is made in, so the batch that commits it can link back; none with tracing off. */
    private @Nullable TraceContext origin() {
        if (tracer == Tracer.NOOP) {
            return null;
        }
        Span current = tracer.currentSpan();
        return current == null ? null : current.context();
    }

    /**
     * {@link #write} in a {@value #WRITE_SPAN} span of its own (the writer thread belongs to no call), linked to the
     * appends' spans: a trace of a slow call leads to the group commit it waited for, and the commit's span shows how
     * many events shared it.
     */
    private List<AuditRecord> tracedWrite(List<Pending> batch) throws SQLException {
        if (tracer == Tracer.NOOP) {
            return write(batch);
        }
        Span.Builder builder = tracer.spanBuilder().name(WRITE_SPAN).setNoParent();
        int links = 0;
        for (Pending pending : batch) {
            TraceContext origin = pending.origin();
            if (origin != null && links < MAX_SPAN_LINKS) {
                builder.addLink(new Link(origin));
                links++;
            }
        }
        Span span = builder.start().tag("warden.audit.batch", batch.size());
        try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
            return write(batch);
        } catch (SQLException | RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    /**
     * Writes the events in one transaction and returns their records, in order. The head is moved first,
     * on the condition that it is where this writer last saw it; when another writer (another instance,
     * or the checkpoint timer) moved it meanwhile, the transaction is rolled back and redone from the
     * current head. That keeps one round trip off the common case without ever forking the chain.
     */
    private List<AuditRecord> write(List<Pending> batch) throws SQLException {
        List<AuditEvent> events = batch.stream().map(Pending::event).toList();
        Connection connection = writerConnection();
        {
            try {
                for (int attempt = 0; ; attempt++) {
                    Head head = cachedHead != null && attempt == 0 ? cachedHead : readHead(connection);
                    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
                    Map<String, AuditRecord> known = findBySource(connection, events);
                    List<AuditRecord> results = new ArrayList<>(events.size());
                    List<AuditRecord> fresh = new ArrayList<>(events.size());
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
                        fresh.add(record);
                        results.add(record);
                        if (event.sourceId() != null) {
                            known.put(event.sourceId(), record);
                        }
                        previous = hash;
                    }
                    if (fresh.isEmpty()) {
                        connection.commit();
                        return results;
                    }
                    boolean checkpoint = sequence - head.lastCheckpointSeq() >= properties.checkpointEvery();
                    Head moved = checkpoint
                            ? new Head(sequence, previous, sequence, now)
                            : new Head(sequence, previous, head.lastCheckpointSeq(), head.lastCheckpointAt());
                    if (!checkpoint && known.isEmpty() && events.stream().allMatch(e -> e.sourceId() == null)) {
                        // the common case: move the head and insert the batch in one statement that commits
                        // itself — one round trip, one WAL flush
                        connection.setAutoCommit(true);
                        boolean written;
                        try {
                            written = moveHeadAndInsert(connection, head, moved, fresh);
                        } finally {
                            connection.setAutoCommit(false);
                        }
                        if (!written) {
                            cachedHead = null;
                            continue;
                        }
                        cachedHead = moved;
                        return results;
                    }
                    if (!moveHead(connection, head, moved)) {
                        connection.rollback();
                        cachedHead = null;
                        continue;
                    }
                    insert(connection, fresh);
                    if (checkpoint) {
                        sign(connection, head.lastCheckpointSeq() + 1, sequence, previous, now);
                    }
                    connection.commit();
                    cachedHead = moved;
                    return results;
                }
            } catch (SQLException | RuntimeException e) {
                cachedHead = null;
                closeWriterConnection();
                throw e;
            }
        }
    }

    /**
     * The writer keeps one connection of its own, so that appending never waits for the pool: callers
     * that hold pooled connections while they append (transactional listeners do) cannot starve it.
     */
    private Connection writerConnection() throws SQLException {
        if (writerConnection == null || writerConnection.isClosed()) {
            writerConnection = dataSource.getConnection();
            writerConnection.setAutoCommit(false);
        }
        return writerConnection;
    }

    private void closeWriterConnection() {
        Connection connection = writerConnection;
        writerConnection = null;
        if (connection != null) {
            try {
                connection.rollback();
                connection.close();
            } catch (SQLException ignored) {
                // the connection is broken already; a new one is taken for the next batch
            }
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

    private void insert(Connection connection, List<AuditRecord> records) throws SQLException {
        try (PreparedStatement statement =
                connection.prepareStatement("insert into audit_event (" + AuditRows.COLUMNS + ") values " + ROW)) {
            for (AuditRecord record : records) {
                bind(connection, statement, 1, record);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** One row's parameters, typed, so that they can also stand in a {@code VALUES} list. */
    private static final String ROW =
            "(?::bigint, ?::smallint, ?::timestamptz, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?, ?, ?, "
                    + "?::bigint, ?, ?::text[], ?::text[], ?::bytea)";

    private static final int ROW_PARAMETERS = 24;
    private static final int HEAD_PARAMETERS = 7;

    /**
     * Moves the head from {@code from} to {@code to} and inserts the records, in one statement: the insert
     * takes place only if the update found the head where it was expected. False (nothing written) when
     * another writer moved the head meanwhile.
     */
    private static boolean moveHeadAndInsert(Connection connection, Head from, Head to, List<AuditRecord> records)
            throws SQLException {
        StringBuilder sql = new StringBuilder("""
                with moved as (
                    update audit_head set last_seq = ?, last_hash = ?, last_checkpoint_seq = ?, last_checkpoint_at = ?
                    where id = 1 and last_seq = ? and last_hash = ? and last_checkpoint_seq = ? returning 1)
                insert into audit_event (""").append(AuditRows.COLUMNS).append(") select v.* from (values ");
        for (int i = 0; i < records.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(ROW);
        }
        sql.append(") v where exists (select 1 from moved)");
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            bindHeadMove(statement, from, to);
            for (int i = 0; i < records.size(); i++) {
                bind(connection, statement, HEAD_PARAMETERS + 1 + i * ROW_PARAMETERS, records.get(i));
            }
            int inserted = statement.executeUpdate();
            if (inserted != 0 && inserted != records.size()) {
                throw new SQLException("inserted " + inserted + " of " + records.size() + " audit events");
            }
            return inserted == records.size();
        }
    }

    private static void bind(Connection connection, PreparedStatement statement, int first, AuditRecord record)
            throws SQLException {
        AuditEvent event = record.event();
        int i = first;
        statement.setLong(i++, record.sequence());
        statement.setShort(i++, (short) record.schemaVersion());
        statement.setObject(i++, OffsetDateTime.ofInstant(record.time(), ZoneOffset.UTC));
        statement.setString(i++, event.action());
        statement.setString(i++, event.sourceId());
        statement.setString(i++, event.actor().id());
        statement.setString(i++, event.actor().type().name());
        statement.setString(i++, event.actor().ownerId());
        statement.setString(i++, event.target().type());
        statement.setString(i++, event.target().id());
        statement.setString(i++, event.agentId());
        statement.setString(i++, event.ownerId());
        statement.setString(i++, event.dataset());
        statement.setString(i++, event.tool());
        statement.setString(i++, event.decision());
        statement.setArray(i++, connection.createArrayOf("text", event.reasons().toArray()));
        statement.setString(i++, event.purposeOfUse());
        statement.setString(i++, event.requestDigest());
        statement.setString(i++, event.outcome().name());
        if (event.latencyMicros() == null) {
            statement.setNull(i++, Types.BIGINT);
        } else {
            statement.setLong(i++, event.latencyMicros());
        }
        statement.setString(i++, event.correlationId());
        statement.setArray(
                i++, connection.createArrayOf("text", event.details().keySet().toArray()));
        statement.setArray(
                i++, connection.createArrayOf("text", event.details().values().toArray()));
        statement.setBytes(i, record.hash());
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
