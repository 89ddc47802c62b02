package io.warden.audit;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The result of verifying a range of the chain.
 *
 * @param valid              true when every record and every checkpoint in the range checks out
 * @param from               first sequence verified
 * @param to                 last sequence verified
 * @param eventsChecked      how many records were recomputed
 * @param checkpointsChecked how many signed checkpoints were checked
 * @param lastSignedSequence the last sequence covered by a valid signed checkpoint; records after it are
 *                           chained but not yet signed
 * @param firstBadSequence   where the first problem is, when there is one
 * @param problem            a stable code for the first problem: {@code hash-mismatch}, {@code missing-sequence},
 *                           {@code checkpoint-signature-invalid}, {@code checkpoint-mismatch},
 *                           {@code checkpoint-missing}, {@code unknown-key}, {@code truncated},
 *                           {@code removed-by-retention} (the whole range was removed; see its archive), and for
 *                           time-stamp tokens {@code anchor-invalid}, {@code anchor-mismatch}, {@code anchor-late}
 * @param detail             the first problem in words
 * @param anchorsChecked     how many RFC 3161 time-stamp tokens were checked against the trusted authorities
 * @param lastAnchoredSequence the last sequence covered by a checkpoint with a valid time-stamp token (0 for none):
 *                           history up to it cannot have been changed since {@code lastAnchoredAt}; compare it with
 *                           the one an earlier verification reported, since removing tokens lowers it
 * @param lastAnchoredAt     the time in that token
 * @param marker             where the chain starts after a retention removal, when records were removed: a range
 *                           asked for from before it is verified from it (records before it are in its archive)
 */
public record Verification(
        boolean valid,
        long from,
        long to,
        long eventsChecked,
        int checkpointsChecked,
        long lastSignedSequence,
        @Nullable Long firstBadSequence,
        @Nullable String problem,
        @Nullable String detail,
        int anchorsChecked,
        long lastAnchoredSequence,
        @Nullable Instant lastAnchoredAt,
        @Nullable ChainMarker marker) {

    /** A verification without retention marker. */
    public Verification(
            boolean valid,
            long from,
            long to,
            long eventsChecked,
            int checkpointsChecked,
            long lastSignedSequence,
            @Nullable Long firstBadSequence,
            @Nullable String problem,
            @Nullable String detail,
            int anchorsChecked,
            long lastAnchoredSequence,
            @Nullable Instant lastAnchoredAt) {
        this(
                valid,
                from,
                to,
                eventsChecked,
                checkpointsChecked,
                lastSignedSequence,
                firstBadSequence,
                problem,
                detail,
                anchorsChecked,
                lastAnchoredSequence,
                lastAnchoredAt,
                null);
    }

    /** A verification that checked no time-stamp token and started from no retention marker. */
    public Verification(
            boolean valid,
            long from,
            long to,
            long eventsChecked,
            int checkpointsChecked,
            long lastSignedSequence,
            @Nullable Long firstBadSequence,
            @Nullable String problem,
            @Nullable String detail) {
        this(
                valid,
                from,
                to,
                eventsChecked,
                checkpointsChecked,
                lastSignedSequence,
                firstBadSequence,
                problem,
                detail,
                0,
                0,
                null,
                null);
    }

    /** The same result, saying which retention marker it started from. */
    public Verification from(@Nullable ChainMarker startedAt) {
        return new Verification(
                valid,
                from,
                to,
                eventsChecked,
                checkpointsChecked,
                lastSignedSequence,
                firstBadSequence,
                problem,
                detail,
                anchorsChecked,
                lastAnchoredSequence,
                lastAnchoredAt,
                startedAt);
    }
}
