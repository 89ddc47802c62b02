package io.warden.audit.internal.siem;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The durable cursor and lease of each sink, in {@code audit_siem_cursor}. A lease is a holder's name and an expiry
 * on the database's clock (the one clock replicas share); the cursor moves only under a live lease, so an instance
 * whose lease lapsed (paused, partitioned) cannot move it after another took over. Thread-safe; each call runs on
 * the connection it is given, in auto-commit.
 */
final class SiemCursors {

    private SiemCursors() {}

    /**
     * Takes or renews the sink's lease for {@code holder}: returns the cursor when this holder now has the lease, empty
     * when another holder's lease is still live.
     */
    static OptionalLong acquire(Connection connection, String sink, String holder, Duration lease) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into audit_siem_cursor (sink) values (?) on conflict (sink) do nothing")) {
            insert.setString(1, sink);
            insert.executeUpdate();
        }
        try (PreparedStatement update = connection.prepareStatement("""
                update audit_siem_cursor
                   set holder = ?, lease_until = clock_timestamp() + make_interval(secs => ?)
                 where sink = ? and (holder is null or holder = ? or lease_until < clock_timestamp())
                returning last_seq""")) {
            update.setString(1, holder);
            update.setDouble(2, lease.toMillis() / 1000.0);
            update.setString(3, sink);
            update.setString(4, holder);
            try (ResultSet rs = update.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /**
     * Moves the cursor forward to {@code sequence} and renews the lease, only while {@code holder} holds a live lease;
     * false when it does not (another instance streams the sink now).
     */
    static boolean advance(Connection connection, String sink, String holder, long sequence, Duration lease)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                update audit_siem_cursor
                   set last_seq = greatest(last_seq, ?), updated_at = clock_timestamp(),
                       lease_until = clock_timestamp() + make_interval(secs => ?)
                 where sink = ? and holder = ? and lease_until >= clock_timestamp()""")) {
            update.setLong(1, sequence);
            update.setDouble(2, lease.toMillis() / 1000.0);
            update.setString(3, sink);
            update.setString(4, holder);
            return update.executeUpdate() == 1;
        }
    }

    /** Gives the lease up at shutdown so that another instance takes over at once. */
    static void release(Connection connection, String sink, String holder) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "update audit_siem_cursor set holder = null, lease_until = null where sink = ? and holder = ?")) {
            update.setString(1, sink);
            update.setString(2, holder);
            update.executeUpdate();
        }
    }

    /** The sink's cursor, 0 when it never streamed. */
    static long cursor(Connection connection, String sink) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("select last_seq from audit_siem_cursor where sink = ?")) {
            select.setString(1, sink);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
