package io.warden.lifecycle.internal;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRecord;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** An audit log that keeps what it is given in memory, for tests of the engine adapters that read it back. */
final class RecordingAuditLog implements AuditLog {

    final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public AuditRecord append(AuditEvent event) {
        events.add(event);
        return new AuditRecord(events.size(), Instant.now(), 1, event, new byte[32]);
    }

    @Override
    public CompletableFuture<AuditRecord> appendQueued(AuditEvent event) {
        return CompletableFuture.completedFuture(append(event));
    }
}
