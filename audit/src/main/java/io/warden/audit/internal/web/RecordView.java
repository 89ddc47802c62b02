package io.warden.audit.internal.web;

import io.warden.audit.AuditRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** An audit record as the API shows it; {@code hash} is the chain hash in hex. */
record RecordView(
        long sequence,
        Instant time,
        String action,
        Map<String, @Nullable String> actor,
        Map<String, String> target,
        @Nullable String agentId,
        @Nullable String ownerId,
        @Nullable String dataset,
        @Nullable String tool,
        @Nullable String decision,
        List<String> reasons,
        @Nullable String purposeOfUse,
        @Nullable String requestDigest,
        String outcome,
        @Nullable Long latencyMicros,
        @Nullable String correlationId,
        Map<String, String> details,
        int schemaVersion,
        String hash) {

    static RecordView of(AuditRecord record) {
        var event = record.event();
        Map<String, @Nullable String> actor = new LinkedHashMap<>();
        actor.put("id", event.actor().id());
        actor.put("type", event.actor().type().name());
        actor.put("ownerId", event.actor().ownerId());
        return new RecordView(
                record.sequence(),
                record.time(),
                event.action(),
                actor,
                Map.of("type", event.target().type(), "id", event.target().id()),
                event.agentId(),
                event.ownerId(),
                event.dataset(),
                event.tool(),
                event.decision(),
                event.reasons(),
                event.purposeOfUse(),
                event.requestDigest(),
                event.outcome().name(),
                event.latencyMicros(),
                event.correlationId(),
                event.details(),
                record.schemaVersion(),
                record.hashHex());
    }
}
