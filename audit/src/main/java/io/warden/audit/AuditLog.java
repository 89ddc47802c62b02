package io.warden.audit;

import java.util.List;
import java.util.Optional;

/**
 * Port to the audit trail. Implementations are thread-safe.
 */
public interface AuditLog {

    /**
     * Appends the event and returns once it is durably committed, with its sequence number and hash.
     * Concurrent appends share commits. An event whose {@code sourceId} was recorded before is not
     * recorded again; the earlier record is returned.
     *
     * @throws AuditWriteFailed when the event could not be recorded; nothing of it was written
     */
    AuditRecord append(AuditEvent event);

    /**
     * Queues the event behind every event appended before it and returns at once; the future completes
     * when it is durably committed, or exceptionally with {@link AuditWriteFailed}. For records whose
     * caller must not wait for the commit but whose order in the chain matters.
     *
     * @throws AuditWriteFailed when the event cannot even be queued (the log is stopped or overloaded)
     */
    java.util.concurrent.CompletableFuture<AuditRecord> appendQueued(AuditEvent event);

    /** Recomputes the chain and checks the signed checkpoints from {@code from} to {@code to} (inclusive). */
    Verification verify(long from, long to);

    /** The sequence number of the last record, 0 when the log is empty. */
    long head();

    /** The record with this sequence number. */
    Optional<AuditRecord> find(long sequence);

    /** Records matching the query, newest first, at most {@code query.limit()}. */
    List<AuditRecord> search(AuditQuery query);

    /**
     * How many events of {@code action} (with {@code decision}, when given) each agent has from {@code since}
     * on; agents with none are absent. A record with a {@code count} detail stands for that many events (the
     * gateway records refusals an agent repeats at will once a second, with their count). For the lifecycle rules'
     * risk signals.
     */
    java.util.Map<String, Long> countByAgent(String action, @org.jspecify.annotations.Nullable String decision,
            java.time.Instant since);
}
