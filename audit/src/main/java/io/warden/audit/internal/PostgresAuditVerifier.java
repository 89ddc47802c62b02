package io.warden.audit.internal;

import io.warden.audit.AuditVerifier;
import io.warden.audit.ChainMarker;
import io.warden.audit.Checkpoint;
import io.warden.audit.Verification;
import io.warden.audit.internal.anchoring.TimestampVerifier;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGStatement;

/**
 * Verifies the trail in PostgreSQL: reads a range from the last validly signed checkpoint before it, in one
 * read-only transaction, and hands the rows to the {@link ChainVerifier} that the offline export verifier
 * shares. It trusts only the keys it is given, which come from configuration, never from the database.
 * Public for the benchmarks, which assemble the audit log without Spring.
 */
public final class PostgresAuditVerifier implements AuditVerifier {

    private final DataSource dataSource;
    private final Map<String, PublicKey> trustedKeys;
    private final long maxUnsigned;
    private final @Nullable TimestampVerifier timestamps;

    /** A verifier that checks no time-stamp tokens (anchoring off). */
    public PostgresAuditVerifier(
            DataSource dataSource, Map<String, PublicKey> trustedKeys, AuditProperties properties) {
        this(dataSource, trustedKeys, properties, null);
    }

    /**
     * @param trustedKeys every key whose checkpoints are valid, by key id: this instance's signing key and the
     *                    earlier ones ({@link PublishedKeys#keys()})
     * @param timestamps  the trusted time-stamp authorities, from configuration; without them tokens are not checked
     */
    public PostgresAuditVerifier(
            DataSource dataSource,
            Map<String, PublicKey> trustedKeys,
            AuditProperties properties,
            @Nullable TimestampVerifier timestamps) {
        this.dataSource = dataSource;
        this.trustedKeys = Map.copyOf(trustedKeys);
        this.maxUnsigned = properties.maxUnsigned();
        this.timestamps = timestamps;
    }

    @Override
    public Verification verify(long from, long to) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try {
                return verify(connection, from, to);
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the audit trail to verify it", e);
        }
    }

    private Verification verify(Connection connection, long askedFrom, long to) throws SQLException {
        ChainVerifier verifier = new ChainVerifier(trustedKeys, maxUnsigned, timestamps);
        ChainMarker marker = ChainMarkers.current(connection);
        long from = askedFrom;
        if (marker != null && from < marker.firstSequence()) {
            if (to < marker.firstSequence()) {
                return new Verification(
                                false,
                                from,
                                to,
                                0,
                                0,
                                0,
                                from,
                                "removed-by-retention",
                                "Records " + from + " to " + to + " were removed by retention; they are in archive "
                                        + marker.archiveId() + " (SHA-256 " + marker.archiveSha256() + ")")
                        .from(marker);
            }
            // what lies before the marker is in its archive; the rest verifies from the checkpoint the marker kept
            from = marker.firstSequence();
        }
        long anchorSeq = 0;
        byte[] anchorHash = Chain.GENESIS;
        for (Checkpoint checkpoint : AuditRows.checkpoints(connection, "last_seq < ? order by last_seq desc", from)) {
            if (verifier.signatureValid(checkpoint)) {
                anchorSeq = checkpoint.lastSequence();
                anchorHash = checkpoint.headHash();
                break;
            }
        }
        if (marker != null && from >= marker.firstSequence() && anchorSeq < marker.anchorSequence()) {
            // the checkpoint at the cut is gone or no longer verifies: nothing signed says where the chain starts
            return new Verification(
                            false,
                            from,
                            to,
                            0,
                            0,
                            anchorSeq,
                            marker.firstSequence(),
                            "checkpoint-signature-invalid",
                            "The checkpoint ending at " + marker.anchorSequence()
                                    + ", where retention cut the chain, is missing or does not verify")
                    .from(marker);
        }
        long end = to;
        long head = AuditRows.head(dataSource);
        if (to >= head) {
            // a tail cut off together with the head row still leaves the signed checkpoints behind
            end = Math.max(to, maxCheckpoint(connection));
        }
        List<Checkpoint> checkpoints = AuditRows.checkpoints(connection, "last_seq > ? order by last_seq", anchorSeq);
        Map<Long, byte[]> tokens = CheckpointTimestamps.between(connection, anchorSeq, end);
        try (PreparedStatement statement = connection.prepareStatement(
                "select " + AuditRows.COLUMNS + " from audit_event where seq > ? and seq <= ? order by seq")) {
            // server-prepared from the first execution, so rows arrive in binary form (cheaper to decode)
            statement.unwrap(PGStatement.class).setPrepareThreshold(-1);
            statement.setFetchSize(5000);
            statement.setLong(1, anchorSeq);
            statement.setLong(2, end);
            try (ResultSet rs = statement.executeQuery();
                    RowPipeline rows = new RowPipeline(rs)) {
                Verification result = verifier.verify(anchorSeq, anchorHash, rows, checkpoints, tokens, from, end);
                return marker == null ? result : result.from(marker);
            }
        }
    }

    private static long maxCheckpoint(Connection connection) throws SQLException {
        try (PreparedStatement statement =
                        connection.prepareStatement("select coalesce(max(last_seq), 0) from audit_checkpoint");
                ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Rows for the verifier in two stages on two threads: one decodes the result set (by column position),
     * the caller's thread builds each canonical form and checks the chain. Chunks pass through a short
     * queue, so memory stays constant however long the range. Close it before closing the result set.
     */
    static final class RowPipeline implements Iterator<ChainVerifier.Row>, AutoCloseable {

        private static final Object[][] END = new Object[0][];
        private final ArrayBlockingQueue<Object[][]> chunks = new ArrayBlockingQueue<>(4);
        private final Thread reader;
        private volatile boolean closed;
        private volatile @Nullable RuntimeException failure;
        private Object[][] chunk = new Object[0][];
        private int index;
        private boolean ended;

        RowPipeline(ResultSet rs) {
            reader = new Thread(() -> read(rs), "warden-audit-verify-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read(ResultSet rs) {
            try {
                List<Object[]> rows = new ArrayList<>(1024);
                while (!closed && rs.next()) {
                    Object latency = rs.getObject(20);
                    rows.add(new Object[] {
                        rs.getLong(1),
                        rs.getShort(2),
                        rs.getTimestamp(3).toInstant(),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getString(9),
                        rs.getString(10),
                        rs.getString(11),
                        rs.getString(12),
                        rs.getString(13),
                        rs.getString(14),
                        rs.getString(15),
                        AuditRows.strings(rs.getArray(16)),
                        rs.getString(17),
                        rs.getString(18),
                        rs.getString(19),
                        latency == null ? null : ((Number) latency).longValue(),
                        rs.getString(21),
                        AuditRows.strings(rs.getArray(22)),
                        AuditRows.strings(rs.getArray(23)),
                        rs.getBytes(24)
                    });
                    if (rows.size() == 1024) {
                        chunks.put(rows.toArray(Object[][]::new));
                        rows.clear();
                    }
                }
                if (!rows.isEmpty()) {
                    chunks.put(rows.toArray(Object[][]::new));
                }
            } catch (SQLException | RuntimeException e) {
                failure = new IllegalStateException("Could not read the audit trail", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    if (!closed) {
                        chunks.put(END);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public boolean hasNext() {
            while (index >= chunk.length) {
                if (ended) {
                    return false;
                }
                try {
                    chunk = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while verifying", e);
                }
                index = 0;
                if (chunk == END) {
                    ended = true;
                    if (failure != null) {
                        throw failure;
                    }
                    return false;
                }
            }
            return true;
        }

        @Override
        public ChainVerifier.Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Object[] v = chunk[index++];
            long seq = (Long) v[0];
            byte[] hash = v[23] == null ? new byte[0] : (byte[]) v[23];
            byte[] canonical;
            try {
                if ((Short) v[1] != RecordCodecV1.VERSION) {
                    throw new IllegalStateException("unknown canonical form version " + v[1]);
                }
                canonical = RecordCodecV1.canonicalText(
                                seq,
                                (Instant) v[2],
                                (String) v[3],
                                (String) v[4],
                                (String) v[5],
                                (String) v[6],
                                (String) v[7],
                                (String) v[8],
                                (String) v[9],
                                (String) v[10],
                                (String) v[11],
                                (String) v[12],
                                (String) v[13],
                                (String) v[14],
                                (String[]) v[15],
                                (String) v[16],
                                (String) v[17],
                                (String) v[18],
                                (Long) v[19],
                                (String) v[20],
                                (String[]) v[21],
                                (String[]) v[22])
                        .getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException invalid) {
                canonical = ("invalid record: " + invalid.getMessage()).getBytes(StandardCharsets.UTF_8);
            }
            return new ChainVerifier.Row(seq, canonical, hash);
        }

        /** Stops the reader (when the verifier stopped early) and waits for it to let go of the result set. */
        @Override
        public void close() {
            closed = true;
            chunks.clear();
            try {
                reader.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
