package io.warden.audit.internal;

import io.warden.audit.AuditAnalytics;
import io.warden.audit.AuditQuery;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTrail;
import io.warden.audit.RecordedDecisions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Reads the trail in PostgreSQL: the head, single records, searches and the aggregates over them. Each call
 * takes a pooled connection of its own and never waits for the writer, which keeps a connection apart.
 * Recorded decisions are grouped by the database and read through a cursor, so a replay of millions of records holds
 * only the groups in hand.
 * Public for the benchmarks, which assemble the audit log without Spring.
 */
public final class PostgresAuditTrail implements AuditTrail, AuditAnalytics, RecordedDecisions {

    private final DataSource dataSource;

    public PostgresAuditTrail(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public long head() {
        return AuditRows.head(dataSource);
    }

    @Override
    public Optional<AuditRecord> find(long sequence) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select " + AuditRows.COLUMNS + " from audit_event where seq = ?")) {
            statement.setLong(1, sequence);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? Optional.of(AuditRows.map(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read audit record " + sequence, e);
        }
    }

    @Override
    public List<AuditRecord> search(AuditQuery query) {
        StringBuilder sql = new StringBuilder("select " + AuditRows.COLUMNS + " from audit_event where true");
        List<Object> params = new ArrayList<>();
        filter(sql, params, "agent_id", query.agentId());
        filter(sql, params, "owner_id", query.ownerId());
        filter(sql, params, "actor_id", query.actorId());
        filter(sql, params, "dataset", query.dataset());
        filter(sql, params, "tool", query.tool());
        filter(sql, params, "action", query.action());
        filter(sql, params, "decision", query.decision());
        filter(sql, params, "purpose", query.purposeOfUse());
        if (query.from() != null) {
            sql.append(" and time >= ?");
            params.add(OffsetDateTime.ofInstant(query.from(), ZoneOffset.UTC));
        }
        if (query.to() != null) {
            sql.append(" and time <= ?");
            params.add(OffsetDateTime.ofInstant(query.to(), ZoneOffset.UTC));
        }
        if (query.beforeSequence() != null) {
            sql.append(" and seq < ?");
            params.add(query.beforeSequence());
        }
        sql.append(" order by seq desc limit ").append(query.limit());
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                statement.setObject(i + 1, params.get(i));
            }
            List<AuditRecord> records = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    records.add(AuditRows.map(rs));
                }
            }
            return records;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not search the audit trail", e);
        }
    }

    private static void filter(StringBuilder sql, List<Object> params, String column, @Nullable String value) {
        if (value != null) {
            sql.append(" and ").append(column).append(" = ?");
            params.add(value);
        }
    }

    private static final String ACTIVITY = """
            select date_bin(make_interval(secs => ?), time, timestamptz '2000-01-01') as bucket, agent_id, tool,
                   count(*) filter (where action = 'gateway.decision') as calls,
                   count(*) filter (where action = 'gateway.decision' and decision = 'DENY') as denials,
                   percentile_disc(0.5) within group (order by latency_micros) filter (where action = 'gateway.outcome') as p50
            from audit_event
            where time >= ? and agent_id is not null and action in ('gateway.decision', 'gateway.outcome')""";

    private static final String ACTIVITY_GROUPS = " group by 1, 2, 3 order by 1, 2, 3";

    @Override
    public List<Activity> activity(Instant since, Duration bucket) {
        return activityOf(since, bucket, null);
    }

    @Override
    public List<Activity> activity(Instant since, Duration bucket, String agentId) {
        return activityOf(since, bucket, agentId);
    }

    private List<Activity> activityOf(Instant since, Duration bucket, @Nullable String agentId) {
        List<Activity> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        ACTIVITY + (agentId == null ? "" : " and agent_id = ?") + ACTIVITY_GROUPS)) {
            statement.setDouble(1, bucket.toSeconds());
            statement.setObject(2, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
            if (agentId != null) {
                statement.setString(3, agentId);
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    long p50 = rs.getLong(6);
                    rows.add(new Activity(
                            rs.getObject(1, OffsetDateTime.class).toInstant(),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            rs.wasNull() ? null : p50));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the gateway's activity", e);
        }
        return rows;
    }

    @Override
    public Map<String, Long> countByAgent(String action, @Nullable String decision, Instant since) {
        Map<String, Long> counts = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("""
                select agent_id, sum(coalesce(detail_values[array_position(detail_keys, 'count')]::bigint, 1)) from audit_event
                where action = ? and time >= ? and agent_id is not null and (cast(? as text) is null or decision = ?)
                group by agent_id""")) {
            statement.setString(1, action);
            statement.setObject(2, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
            statement.setString(3, decision);
            statement.setString(4, decision);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not count audit records", e);
        }
        return counts;
    }

    /** The decision records of a range, with their input and weight; the {@code count} detail stands for repeats. */
    private static final String DECISIONS = """
            select seq, time, agent_id, decision, reasons,
                   detail_values[array_position(detail_keys, 'input')] as input,
                   coalesce(detail_values[array_position(detail_keys, 'count')]::bigint, 1) as n
            from audit_event where action = 'gateway.decision' and time >= ? and time < ?""";

    @Override
    public Summary summary(Instant from, Instant to) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select coalesce(sum(n), 0), coalesce(sum(n) filter (where input is null), 0) from ("
                                + DECISIONS + ") d")) {
            statement.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            statement.setObject(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return new Summary(rs.getLong(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not count the recorded decisions", e);
        }
    }

    @Override
    public void forEachGroup(Instant from, Instant to, int examples, Consumer<Group> sink) {
        if (examples < 1 || examples > 100) {
            throw new IllegalArgumentException("examples must be 1 to 100: " + examples);
        }
        try (Connection connection = dataSource.getConnection()) {
            // PostgreSQL streams a result through a cursor only inside a transaction; without one the driver would
            // read every group into memory before the first is handed on
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try (PreparedStatement statement = connection.prepareStatement("""
                    select input, decision, reasons, sum(n),
                           (array_agg(seq order by seq))[1:?], (array_agg(time order by seq))[1:?],
                           (array_agg(agent_id order by seq))[1:?]
                    from (""" + DECISIONS + """
                    ) d where input is not null group by input, decision, reasons""")) {
                statement.setFetchSize(256);
                statement.setInt(1, examples);
                statement.setInt(2, examples);
                statement.setInt(3, examples);
                statement.setObject(4, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
                statement.setObject(5, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(group(rs));
                    }
                }
            } finally {
                connection.rollback();
                connection.setReadOnly(false);
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the recorded decisions", e);
        }
    }

    private static Group group(ResultSet rs) throws SQLException {
        Object[] sequences = (Object[]) rs.getArray(5).getArray();
        Object[] times = (Object[]) rs.getArray(6).getArray();
        Object[] agents = (Object[]) rs.getArray(7).getArray();
        List<Example> examples = new ArrayList<>(sequences.length);
        for (int i = 0; i < sequences.length; i++) {
            examples.add(new Example(
                    ((Number) sequences[i]).longValue(), ((Timestamp) times[i]).toInstant(), (String) agents[i]));
        }
        return new Group(
                rs.getString(1),
                "PERMIT".equals(rs.getString(2)),
                List.of((String[]) rs.getArray(3).getArray()),
                rs.getLong(4),
                examples);
    }
}
