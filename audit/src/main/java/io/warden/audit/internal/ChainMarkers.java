package io.warden.audit.internal;

import io.warden.audit.ChainMarker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Reads the retention marker where the chain now starts (the newest; earlier ones lie in removed ranges). */
final class ChainMarkers {

    private ChainMarkers() {}

    static @Nullable ChainMarker current(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                        select m.first_seq, m.anchor_seq, m.anchor_hash, m.key_id, m.archive_id, a.sha256, m.removed,
                               m.removed_at
                          from audit_chain_marker m join audit_archive a on a.id = m.archive_id
                         order by m.first_seq desc limit 1""");
                ResultSet rs = statement.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            return new ChainMarker(
                    rs.getLong(1),
                    rs.getLong(2),
                    HexFormat.of().formatHex(rs.getBytes(3)),
                    rs.getString(4),
                    rs.getObject(5, UUID.class),
                    HexFormat.of().formatHex(rs.getBytes(6)),
                    rs.getLong(7),
                    rs.getObject(8, OffsetDateTime.class).toInstant());
        }
    }
}
