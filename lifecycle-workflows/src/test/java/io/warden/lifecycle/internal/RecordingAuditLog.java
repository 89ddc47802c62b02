package io.warden.lifecycle.internal;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditQuery;
import io.warden.audit.AuditRecord;
import io.warden.audit.Verification;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

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

    @Override
    public Map<String, Long> countByAgent(String action, String decision, Instant since) {
        return events.stream().filter(e -> e.action().equals(action) && (decision == null || decision.equals(e.decision()))
                && e.agentId() != null).collect(Collectors.groupingBy(AuditEvent::agentId, Collectors.counting()));
    }

    @Override
    public Verification verify(long from, long to) {
        throw new UnsupportedOperationException("not kept");
    }

    @Override
    public long head() {
        return events.size();
    }

    @Override
    public Optional<AuditRecord> find(long sequence) {
        return Optional.empty();
    }

    @Override
    public List<AuditRecord> search(AuditQuery query) {
        return List.of();
    }
}
