package io.warden.audit;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Criteria for searching the trail; null criteria match everything. Paging is by keyset: pass the
 * smallest sequence of the previous page as {@code beforeSequence}.
 */
public record AuditQuery(
        @Nullable String agentId,
        @Nullable String ownerId,
        @Nullable String actorId,
        @Nullable String dataset,
        @Nullable String tool,
        @Nullable String action,
        @Nullable String decision,
        @Nullable String purposeOfUse,
        @Nullable Instant from,
        @Nullable Instant to,
        @Nullable Long beforeSequence,
        int limit) {

    public AuditQuery {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be between 1 and 1000, got " + limit);
        }
        if (from != null && to != null && from.isAfter(to)) {
            throw new IllegalArgumentException("from must not be after to");
        }
    }
}
