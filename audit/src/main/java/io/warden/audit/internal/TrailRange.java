package io.warden.audit.internal;

import io.warden.audit.AuditRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the trail forwards from a sequence number, for consumers that follow it (SIEM streaming in {@code siem}),
 * with the row layout of {@link AuditRows}. Public only for that sibling package.
 */
public final class TrailRange {

    private TrailRange() {}

    /** Up to {@code limit} committed records after {@code sequence}, in order. */
    public static List<AuditRecord> after(Connection connection, long sequence, int limit) throws SQLException {
        List<AuditRecord> records = new ArrayList<>(Math.min(limit, 1024));
        try (PreparedStatement statement = connection.prepareStatement(
                "select " + AuditRows.COLUMNS + " from audit_event where seq > ? order by seq limit ?")) {
            statement.setLong(1, sequence);
            statement.setInt(2, limit);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    records.add(AuditRows.map(rs));
                }
            }
        }
        return records;
    }

    /** The sequence number of the last committed record, 0 when the trail is empty. */
    public static long head(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select last_seq from audit_head where id = 1");
                ResultSet rs = statement.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** When the record with this sequence number was written, if it exists. */
    public static Optional<Instant> timeOf(Connection connection, long sequence) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select time from audit_event where seq = ?")) {
            statement.setLong(1, sequence);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next()
                        ? Optional.of(rs.getObject(1, OffsetDateTime.class).toInstant())
                        : Optional.empty();
            }
        }
    }
}
