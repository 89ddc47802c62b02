package io.warden.audit.internal;

import io.warden.audit.Checkpoint;
import io.warden.audit.Verification;
import io.warden.audit.internal.anchoring.TimestampVerifier;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Verifies a run of records against the chain rule and the signed checkpoints, wherever the records come
 * from (the database or an exported file). It starts from a trusted anchor (the genesis, or the head hash
 * of a checkpoint whose signature was verified), recomputes every hash, and stops at the first problem,
 * naming its sequence number. With trusted time-stamp authorities it also checks each checkpoint's RFC 3161
 * token: it must be the authority's, over the checkpoint's signed bytes, and issued in time; a checkpoint
 * without a token is accepted but not counted as anchored. Not thread-safe; one instance per verification.
 */
public final class ChainVerifier {

    /** One record as stored: its sequence number, canonical bytes and stored chain hash. */
    public record Row(long sequence, byte[] canonical, byte[] hash) {}

    private final Map<String, PublicKey> keys;
    private final long maxUnsigned;
    private final Chain chain = new Chain();
    private final @Nullable TimestampVerifier timestamps;

    /** A verifier that checks no time-stamp tokens. */
    public ChainVerifier(Map<String, PublicKey> keys, long maxUnsigned) {
        this(keys, maxUnsigned, null);
    }

    /**
     * @param keys        public keys by key id; a checkpoint signed by any other key fails
     * @param maxUnsigned the most records that may follow the last signed checkpoint (checkpoints are due
     *                    every N events); 0 or less to accept any number
     * @param timestamps  the trusted time-stamp authorities; without them tokens are not checked (and nothing counts
     *                    as anchored)
     */
    public ChainVerifier(Map<String, PublicKey> keys, long maxUnsigned, @Nullable TimestampVerifier timestamps) {
        this.keys = Map.copyOf(keys);
        this.maxUnsigned = maxUnsigned;
        this.timestamps = timestamps;
    }

    /** Whether the checkpoint's signature verifies with the key it names. */
    public boolean signatureValid(Checkpoint checkpoint) {
        PublicKey key = keys.get(checkpoint.keyId());
        if (key == null) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(CheckpointCodecV1.signedPayload(
                    checkpoint.firstSequence(),
                    checkpoint.lastSequence(),
                    checkpoint.headHash(),
                    checkpoint.time(),
                    checkpoint.keyId()));
            return verifier.verify(checkpoint.signature());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Verifies rows read from storage, with the checkpoints that end within them.
     *
     * @param anchorSequence the sequence before the first row (0 for the genesis)
     * @param anchorHash     the trusted hash at {@code anchorSequence}
     * @param rows           the records from {@code anchorSequence + 1} on, in sequence order
     * @param checkpoints    the checkpoints that end within the rows
     * @param tokens         RFC 3161 time-stamp tokens by the last sequence of the checkpoint they cover
     * @param from           first sequence the caller asked for (reported back)
     * @param to             the last sequence that must be present
     */
    public Verification verify(
            long anchorSequence,
            byte[] anchorHash,
            Iterator<Row> rows,
            List<Checkpoint> checkpoints,
            Map<Long, byte[]> tokens,
            long from,
            long to) {
        Map<Long, Checkpoint> byLast = new HashMap<>();
        for (Checkpoint checkpoint : checkpoints) {
            byLast.put(checkpoint.lastSequence(), checkpoint);
        }
        Run run = begin(anchorSequence, anchorHash);
        while (rows.hasNext() && run.expected <= to) {
            Row row = rows.next();
            if (!run.row(row)) {
                break;
            }
            Checkpoint checkpoint = byLast.get(row.sequence());
            if (checkpoint != null && !run.checkpoint(checkpoint)) {
                break;
            }
            byte[] token = checkpoint == null ? null : tokens.get(checkpoint.lastSequence());
            if (checkpoint != null && token != null && !run.timestamp(checkpoint, token)) {
                break;
            }
        }
        return run.finish(from, to);
    }

    /** Starts an incremental verification from a trusted anchor; feed rows and checkpoints in file order. */
    public Run begin(long anchorSequence, byte[] anchorHash) {
        return new Run(anchorSequence, anchorHash);
    }

    /** One verification in progress. It stops at the first problem; later calls return false. */
    public final class Run {

        private long expected;
        private byte[] previous;
        private long checked;
        private int checkpointsChecked;
        private long lastSigned;
        private int anchorsChecked;
        private long lastAnchored;
        private @Nullable Instant lastAnchoredAt;
        private @Nullable Long bad;
        private @Nullable String problem;
        private @Nullable String detail;

        private Run(long anchorSequence, byte[] anchorHash) {
            this.expected = anchorSequence + 1;
            this.previous = anchorHash;
            this.lastSigned = anchorSequence;
        }

        public boolean row(Row row) {
            if (problem != null) {
                return false;
            }
            if (row.sequence() != expected) {
                return failed(
                        expected,
                        "missing-sequence",
                        row.sequence() > expected
                                ? "Records " + expected + " to " + (row.sequence() - 1) + " are missing"
                                : "Record " + row.sequence() + " appears where " + expected + " was expected");
            }
            byte[] hash = chain.next(previous, row.canonical());
            if (!Arrays.equals(hash, row.hash())) {
                return failed(
                        row.sequence(),
                        "hash-mismatch",
                        "Record " + row.sequence()
                                + " does not hash to its stored chain hash: it, or the record before it, was changed");
            }
            checked++;
            previous = hash;
            expected++;
            return true;
        }

        /** A checkpoint, checked against the chain at the row just fed (which must be its last). */
        public boolean checkpoint(Checkpoint checkpoint) {
            if (problem != null) {
                return false;
            }
            if (checkpoint.lastSequence() != expected - 1) {
                return failed(
                        lastSigned + 1,
                        "checkpoint-misplaced",
                        "The checkpoint ending at " + checkpoint.lastSequence() + " does not follow record "
                                + checkpoint.lastSequence());
            }
            if (!keys.containsKey(checkpoint.keyId())) {
                return failed(
                        lastSigned + 1,
                        "unknown-key",
                        "The checkpoint ending at " + checkpoint.lastSequence() + " names key '" + checkpoint.keyId()
                                + "', which is not a trusted key");
            }
            if (!signatureValid(checkpoint)) {
                return failed(
                        lastSigned + 1,
                        "checkpoint-signature-invalid",
                        "The signature of the checkpoint ending at " + checkpoint.lastSequence() + " does not verify");
            }
            if (!Arrays.equals(checkpoint.headHash(), previous)) {
                return failed(
                        lastSigned + 1,
                        "checkpoint-mismatch",
                        "The chain at " + checkpoint.lastSequence()
                                + " differs from what the checkpoint signed: records after " + lastSigned
                                + " were rewritten");
            }
            checkpointsChecked++;
            lastSigned = checkpoint.lastSequence();
            return true;
        }

        /**
         * A checkpoint's time-stamp token, fed after the checkpoint itself was accepted. Ignored when no authority is
         * trusted.
         */
        public boolean timestamp(Checkpoint checkpoint, byte[] token) {
            if (problem != null) {
                return false;
            }
            if (timestamps == null) {
                return true;
            }
            if (checkpoint.lastSequence() != lastSigned) {
                return failed(
                        checkpoint.firstSequence(),
                        "anchor-invalid",
                        "A time-stamp token for the checkpoint ending at " + checkpoint.lastSequence()
                                + " appears where that checkpoint was not just verified");
            }
            byte[] covered = CheckpointCodecV1.signedPayload(
                    checkpoint.firstSequence(),
                    checkpoint.lastSequence(),
                    checkpoint.headHash(),
                    checkpoint.time(),
                    checkpoint.keyId());
            return switch (timestamps.check(token, covered, checkpoint.time())) {
                case TimestampVerifier.Invalid invalid ->
                    failed(
                            checkpoint.firstSequence(),
                            invalid.code(),
                            "The checkpoint ending at " + checkpoint.lastSequence() + ": " + invalid.detail());
                case TimestampVerifier.Valid valid -> {
                    anchorsChecked++;
                    lastAnchored = checkpoint.lastSequence();
                    lastAnchoredAt = valid.genTime();
                    yield true;
                }
            };
        }

        /** Fails the run with a problem found outside the chain (a malformed file, say). */
        public boolean fail(long sequence, String code, String text) {
            return problem == null && failed(sequence, code, text);
        }

        public long expected() {
            return expected;
        }

        public Verification finish(long from, long to) {
            if (problem == null && expected <= to) {
                failed(expected, "truncated", "Records from " + expected + " to " + to + " are missing");
            }
            if (problem == null && maxUnsigned > 0 && to - lastSigned > maxUnsigned) {
                failed(
                        lastSigned + 1,
                        "checkpoint-missing",
                        (to - lastSigned) + " records follow the last signed "
                                + "checkpoint (at " + lastSigned + "), more than the " + maxUnsigned
                                + " allowed: checkpoints were removed");
            }
            if (problem != null) {
                return new Verification(
                        false,
                        from,
                        to,
                        checked,
                        checkpointsChecked,
                        lastSigned,
                        bad == null ? 0 : bad,
                        problem,
                        detail,
                        anchorsChecked,
                        lastAnchored,
                        lastAnchoredAt);
            }
            return new Verification(
                    true,
                    from,
                    to,
                    checked,
                    checkpointsChecked,
                    lastSigned,
                    null,
                    null,
                    null,
                    anchorsChecked,
                    lastAnchored,
                    lastAnchoredAt);
        }

        private boolean failed(long sequence, String code, String text) {
            bad = sequence;
            problem = code;
            detail = text;
            return false;
        }
    }
}
