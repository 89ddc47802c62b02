package io.warden.audit.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import io.warden.audit.Checkpoint;
import io.warden.audit.Outcome;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * How records, checkpoints and the head are laid out in PostgreSQL ({@code audit_event}, {@code audit_checkpoint},
 * {@code audit_head}), for the writer, the reads, the verifier and the exporter alike.
 */
final class AuditRows {

    /** The columns of {@code audit_event} in the order the writer binds them and the verifier reads them. */
    static final String COLUMNS = """
            seq, schema_version, time, action, source_id, actor_id, actor_type, actor_owner, target_type, target_id,
            agent_id, owner_id, dataset, tool, decision, reasons, purpose, request_digest, outcome, latency_micros,
            correlation_id, detail_keys, detail_values, hash""";

    private AuditRows() {}

    /** The sequence number of the last record, 0 when the log is empty; on a connection of its own. */
    static long head(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement =
                        connection.prepareStatement("select last_seq from audit_head where id = 1");
                ResultSet rs = statement.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the audit head", e);
        }
    }

    /** The checkpoints matching {@code condition}, an SQL condition on their columns with one parameter. */
    static List<Checkpoint> checkpoints(Connection connection, String condition, long value) throws SQLException {
        List<Checkpoint> result = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "select first_seq, last_seq, head_hash, time, key_id, signature from audit_checkpoint where "
                        + condition)) {
            statement.setLong(1, value);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    result.add(new Checkpoint(
                            rs.getLong(1),
                            rs.getLong(2),
                            rs.getBytes(3),
                            rs.getObject(4, OffsetDateTime.class).toInstant(),
                            rs.getString(5),
                            rs.getBytes(6)));
                }
            }
        }
        return result;
    }

    /** The record in the current row of a result set that selected {@link #COLUMNS}. */
    static AuditRecord map(ResultSet rs) throws SQLException {
        String[] keys = strings(rs.getArray("detail_keys"));
        String[] values = strings(rs.getArray("detail_values"));
        if (keys.length != values.length) {
            throw new IllegalStateException("detail keys and values differ in number");
        }
        TreeMap<String, String> details = new TreeMap<>();
        for (int i = 0; i < keys.length; i++) {
            details.put(keys[i], values[i]);
        }
        Object latency = rs.getObject("latency_micros");
        AuditEvent event = new AuditEvent(
                rs.getString("action"),
                rs.getString("source_id"),
                new AuditActor(
                        rs.getString("actor_id"),
                        AuditActor.Type.valueOf(rs.getString("actor_type")),
                        rs.getString("actor_owner")),
                new AuditTarget(rs.getString("target_type"), rs.getString("target_id")),
                rs.getString("agent_id"),
                rs.getString("owner_id"),
                rs.getString("dataset"),
                rs.getString("tool"),
                rs.getString("decision"),
                Arrays.asList(strings(rs.getArray("reasons"))),
                rs.getString("purpose"),
                rs.getString("request_digest"),
                Outcome.valueOf(rs.getString("outcome")),
                latency == null ? null : ((Number) latency).longValue(),
                rs.getString("correlation_id"),
                details);
        return new AuditRecord(
                rs.getLong("seq"),
                rs.getObject("time", OffsetDateTime.class).toInstant(),
                rs.getShort("schema_version"),
                event,
                rs.getBytes("hash"));
    }

    static String[] strings(@Nullable Array array) throws SQLException {
        if (array == null) {
            return new String[0];
        }
        return (String[]) array.getArray();
    }
}
