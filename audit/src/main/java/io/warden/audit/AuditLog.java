package io.warden.audit;

import java.util.concurrent.CompletableFuture;

/**
 * Port to the audit trail's writer: every module records its events here. Implementations are thread-safe.
 * Reading the trail is {@link AuditTrail}, its aggregates {@link AuditAnalytics}, checking it {@link AuditVerifier}.
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
    CompletableFuture<AuditRecord> appendQueued(AuditEvent event);
}
