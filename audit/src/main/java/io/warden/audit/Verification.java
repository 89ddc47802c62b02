package io.warden.audit;

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
 *                           {@code checkpoint-missing}, {@code unknown-key}, {@code truncated}, {@code removed-by-retention} (the whole range was removed; see its archive)
 * @param detail             the first problem in words
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
        @Nullable ChainMarker marker) {

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
                startedAt);
    }
}
