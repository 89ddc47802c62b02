package io.warden.audit;

import java.util.List;
import java.util.Optional;

/**
 * The records the trail holds, as committed: its head, one record, searches. Reads never wait for the writer.
 * Implementations are thread-safe.
 */
public interface AuditTrail {

    /** The sequence number of the last record, 0 when the log is empty. */
    long head();

    /** The record with this sequence number. */
    Optional<AuditRecord> find(long sequence);

    /** Records matching the query, newest first, at most {@code query.limit()}. */
    List<AuditRecord> search(AuditQuery query);
}
