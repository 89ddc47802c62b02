package io.warden.audit.internal.siem;

import io.warden.audit.AuditRecord;
import java.io.IOException;
import java.util.List;

/**
 * A receiver of the trail. Records arrive in sequence order, each at least once: after a failure the streamer sends
 * again from the durable cursor. Used by one streamer thread at a time; implementations need not be thread-safe.
 */
interface SiemSink extends AutoCloseable {

    /**
     * Sends {@code records} (possibly none, to let earlier sends be confirmed) and returns the highest sequence number
     * the receiver has accepted so far, 0 when none; throws when the receiver refused or could not be reached, and
     * then forgets what it had sent but not confirmed.
     */
    long deliver(List<AuditRecord> records) throws IOException;

    /** Drops the connection, if any, and anything sent but not yet confirmed. */
    @Override
    void close();
}
