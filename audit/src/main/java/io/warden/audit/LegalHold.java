package io.warden.audit;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A legal hold: while it is not released, no record it covers is removed by retention. It covers a record when
 * every criterion it names matches: the agent, the person (as actor or owner), a sequence range, a time range.
 */
public record LegalHold(
        UUID id,
        @Nullable String agentId,
        @Nullable String personId,
        @Nullable Long fromSequence,
        @Nullable Long toSequence,
        @Nullable Instant fromTime,
        @Nullable Instant toTime,
        String reason,
        String createdBy,
        Instant createdAt,
        @Nullable String releasedBy,
        @Nullable Instant releasedAt) {

    /**
     * What a new hold covers. At least one criterion; ranges are given whole and in order.
     *
     * @throws RetentionRefused {@code invalid-field} naming the field at fault
     */
    public record Scope(
            @Nullable String agentId,
            @Nullable String personId,
            @Nullable Long fromSequence,
            @Nullable Long toSequence,
            @Nullable Instant fromTime,
            @Nullable Instant toTime,
            String reason) {

        public Scope {
            if (reason.isBlank()) {
                throw invalid("reason", "A legal hold needs a reason (the matter it is for)");
            }
            if (agentId == null && personId == null && fromSequence == null && fromTime == null) {
                throw invalid("agentId", "Name what the hold covers: agentId, personId, a sequence or a time range");
            }
            if ((fromSequence == null) != (toSequence == null)) {
                throw invalid(
                        fromSequence == null ? "fromSequence" : "toSequence", "Give both ends of a sequence range");
            }
            if (fromSequence != null && toSequence != null && (fromSequence < 1 || fromSequence > toSequence)) {
                throw invalid("fromSequence", "The sequence range must start at 1 or later and be in order");
            }
            if ((fromTime == null) != (toTime == null)) {
                throw invalid(fromTime == null ? "fromTime" : "toTime", "Give both ends of a time range");
            }
            if (fromTime != null && toTime != null && fromTime.isAfter(toTime)) {
                throw invalid("fromTime", "The time range is inverted: " + fromTime + " is after " + toTime);
            }
        }

        private static RetentionRefused invalid(String field, String message) {
            return RetentionRefused.invalid(field, message);
        }
    }

    public boolean active() {
        return releasedAt == null;
    }
}
