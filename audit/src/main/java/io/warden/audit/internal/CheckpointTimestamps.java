package io.warden.audit.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** Reads the RFC 3161 tokens stored beside checkpoints ({@code audit_checkpoint_timestamp}). */
final class CheckpointTimestamps {

    private CheckpointTimestamps() {}

    /** The tokens of the checkpoints ending after {@code after} and at or before {@code upTo}, by that last sequence. */
    static Map<Long, byte[]> between(Connection connection, long after, long upTo) throws SQLException {
        Map<Long, byte[]> tokens = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "select last_seq, token from audit_checkpoint_timestamp where last_seq > ? and last_seq <= ?")) {
            statement.setLong(1, after);
            statement.setLong(2, upTo);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    tokens.put(rs.getLong(1), rs.getBytes(2));
                }
            }
        }
        return tokens;
    }
}
