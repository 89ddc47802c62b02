package io.warden.audit.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRetention;
import io.warden.audit.AuditTarget;
import io.warden.audit.ChainMarker;
import io.warden.audit.ExportFormat;
import io.warden.audit.LegalHold;
import io.warden.audit.RetentionRefused;
import io.warden.audit.problem.ProblemKind;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.springframework.util.IdGenerator;

/**
 * {@link AuditRetention} on PostgreSQL. The application decides what is expired by kind (its configured rules
 * and its clock); the database's {@code audit_remove_prefix} decides again whether anything may go (the archive
 * row, a second person, the holds, the floor of the age by the database's own clock), so a caller holding the
 * application's credentials removes nothing the rules keep.
 */
public final class PostgresAuditRetention implements AuditRetention {

    /** A hold covers a record when every criterion it names matches (as audit_remove_prefix checks it). */
    private static final String HELD = """
            exists (select 1 from audit_legal_hold h
                     where h.released_at is null
                       and (h.agent_id is null or e.agent_id = h.agent_id)
                       and (h.person_id is null or e.actor_id = h.person_id or e.owner_id = h.person_id)
                       and (h.from_seq is null or e.seq between h.from_seq and h.to_seq)
                       and (h.from_time is null or e.time between h.from_time and h.to_time))""";

    private static final String ARCHIVE_COLUMNS = """
            a.id, a.first_seq, a.last_seq, a.events, a.file, a.sha256, a.requested_by, a.created_at, p.approved_by,
            p.approved_at, m.removed_at""";
    private static final String ARCHIVE_FROM = """
             from audit_archive a left join audit_archive_approval p on p.archive_id = a.id
                  left join audit_chain_marker m on m.archive_id = a.id""";
    private static final String HOLD_COLUMNS = """
            id, agent_id, person_id, from_seq, to_seq, from_time, to_time, reason, created_by, created_at,
            released_by, released_at""";

    private final DataSource dataSource;
    private final AuditExporter exporter;
    private final AuditLog audit;
    private final Clock clock;
    private final RetentionProperties properties;
    private final IdGenerator ids;

    /** @param ids where archive and hold ids come from (random in production, seeded in tests) */
    public PostgresAuditRetention(
            DataSource dataSource,
            AuditExporter exporter,
            AuditLog audit,
            Clock clock,
            RetentionProperties properties,
            IdGenerator ids) {
        this.dataSource = dataSource;
        this.exporter = exporter;
        this.audit = audit;
        this.clock = clock;
        this.properties = properties;
        this.ids = ids;
    }

    @Override
    public List<ExpiredRange> expired() {
        Instant now = clock.instant();
        List<RetentionProperties.Rule> rules = properties.rules();
        List<ExpiredRange> ranges = new ArrayList<>();
        return query(connection -> {
            for (int i = 0; i <= rules.size(); i++) {
                boolean fallback = i == rules.size();
                String prefix = fallback ? "*" : rules.get(i).prefix();
                Duration period =
                        fallback ? properties.defaultPeriod() : rules.get(i).period();
                StringBuilder where = new StringBuilder("time < ?");
                List<String> likes = new ArrayList<>();
                if (!fallback) {
                    where.append(" and action like ? escape '\\'");
                    likes.add(like(prefix));
                }
                // a longer prefix is a kind of its own
                for (RetentionProperties.Rule longer : rules.subList(0, fallback ? rules.size() : i)) {
                    if (fallback || longer.prefix().startsWith(prefix)) {
                        where.append(" and action not like ? escape '\\'");
                        likes.add(like(longer.prefix()));
                    }
                }
                try (PreparedStatement statement = connection.prepareStatement(
                        "select count(*), min(seq), max(seq) from audit_event where " + where)) {
                    statement.setTimestamp(1, Timestamp.from(now.minus(period)));
                    for (int p = 0; p < likes.size(); p++) {
                        statement.setString(p + 2, likes.get(p));
                    }
                    try (ResultSet rs = statement.executeQuery()) {
                        rs.next();
                        ranges.add(new ExpiredRange(
                                prefix,
                                period,
                                rs.getLong(1),
                                rs.getObject(2, Long.class),
                                rs.getObject(3, Long.class)));
                    }
                }
            }
            return List.copyOf(ranges);
        });
    }

    @Override
    public @Nullable Range removable() {
        return query(connection -> Optional.ofNullable(removable(connection))).orElse(null);
    }

    private @Nullable Range removable(Connection connection) throws SQLException {
        ChainMarker marker = ChainMarkers.current(connection);
        long first = marker == null ? 1 : marker.firstSequence();
        long head = AuditRows.head(dataSource);
        Instant now = clock.instant();
        List<RetentionProperties.Rule> rules = properties.rules();
        // with no rules every kind is the default's (and "case else .. end" is no SQL)
        StringBuilder cutoff = new StringBuilder(rules.isEmpty() ? "(" : "case");
        for (int i = 0; i < rules.size(); i++) {
            cutoff.append(" when e.action like ? escape '\\' then ?::timestamptz");
        }
        cutoff.append(rules.isEmpty() ? "?::timestamptz)" : " else ?::timestamptz end");
        // the first record that must stay: not yet past its kind's retention, or held
        long blocker;
        try (PreparedStatement statement =
                connection.prepareStatement("select coalesce(min(e.seq), ?) from audit_event e"
                        + " where e.seq >= ? and (e.time >= " + cutoff + " or " + HELD + ")")) {
            int p = 1;
            statement.setLong(p++, head + 1);
            statement.setLong(p++, first);
            for (RetentionProperties.Rule rule : rules) {
                statement.setString(p++, like(rule.prefix()));
                statement.setTimestamp(p++, Timestamp.from(now.minus(rule.period())));
            }
            statement.setTimestamp(p, Timestamp.from(now.minus(properties.defaultPeriod())));
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                blocker = rs.getLong(1);
            }
        }
        // the chain is cut only where a checkpoint signed it, and never at the head (writers chain from it)
        try (PreparedStatement statement = connection.prepareStatement(
                "select max(last_seq) from audit_checkpoint where last_seq >= ? and last_seq < ? and last_seq < ?")) {
            statement.setLong(1, first);
            statement.setLong(2, blocker);
            statement.setLong(3, head);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                Long last = rs.getObject(1, Long.class);
                return last == null ? null : new Range(first, last);
            }
        }
    }

    @Override
    public Archive archive(String requestedBy) {
        Range range = removable();
        if (range == null) {
            throw new RetentionRefused(
                    ProblemKind.CONFLICT,
                    "nothing-expired",
                    "No start of the chain is past its retention, free of legal holds and closed by a checkpoint");
        }
        UUID id = ids.generateId();
        Instant now = clock.instant();
        String name = "warden-audit-" + range.first() + "-" + range.last() + "-" + id + ".ndjson";
        AuditExporter.Summary summary;
        byte[] digest;
        try {
            Files.createDirectories(properties.archiveDir());
            Path target = properties.archiveDir().resolve(name);
            Path partial = properties.archiveDir().resolve(name + ".partial");
            MessageDigest sha256 = sha256();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(partial), sha256)) {
                summary = exporter.exportWithSummary(ExportFormat.NDJSON, range.first(), range.last(), out);
            }
            digest = sha256.digest();
            // the archive is read only once whole: a crash leaves a .partial file and no archive row
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the audit archive to " + properties.archiveDir(), e);
        }
        if (summary.anchorSequence() != range.first() - 1 || summary.lastSequence() != range.last()) {
            throw new IllegalStateException("The archive of " + range + " covers " + (summary.anchorSequence() + 1)
                    + " to " + summary.lastSequence() + "; nothing was recorded");
        }
        String hex = HexFormat.of().formatHex(digest);
        audit.append(AuditEvent.builder(
                        "audit.retention.archived",
                        AuditActor.person(requestedBy),
                        new AuditTarget("audit-archive", id.toString()))
                .detail("firstSequence", range.first())
                .detail("lastSequence", range.last())
                .detail("events", summary.events())
                .detail("sha256", hex)
                .detail("file", name)
                .build());
        update(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("""
                    insert into audit_archive (id, first_seq, last_seq, file, sha256, events, requested_by, created_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?)""")) {
                statement.setObject(1, id);
                statement.setLong(2, range.first());
                statement.setLong(3, range.last());
                statement.setString(4, name);
                statement.setBytes(5, digest);
                statement.setLong(6, summary.events());
                statement.setString(7, requestedBy);
                statement.setTimestamp(8, Timestamp.from(now));
                statement.executeUpdate();
            }
            return true;
        });
        return find(id);
    }

    @Override
    public Archive approve(UUID archiveId, String approvedBy) {
        Archive archive = find(archiveId);
        if (archive.requestedBy().equals(approvedBy)) {
            throw new RetentionRefused(
                    ProblemKind.FORBIDDEN,
                    "approver-is-requester",
                    "Removal needs a second person: " + approvedBy + " requested archive " + archiveId);
        }
        if (archive.approvedBy() != null) {
            throw new RetentionRefused(
                    ProblemKind.CONFLICT,
                    "approved-already",
                    "Archive " + archiveId + " was approved by " + archive.approvedBy());
        }
        audit.append(AuditEvent.builder(
                        "audit.retention.approved",
                        AuditActor.person(approvedBy),
                        new AuditTarget("audit-archive", archiveId.toString()))
                .detail("requestedBy", archive.requestedBy())
                .detail("firstSequence", archive.firstSequence())
                .detail("lastSequence", archive.lastSequence())
                .detail("sha256", archive.sha256())
                .build());
        update(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "insert into audit_archive_approval (archive_id, approved_by, approved_at) values (?, ?, ?)")) {
                statement.setObject(1, archiveId);
                statement.setString(2, approvedBy);
                statement.setTimestamp(3, Timestamp.from(clock.instant()));
                statement.executeUpdate();
            }
            return true;
        });
        return find(archiveId);
    }

    @Override
    public ChainMarker remove(UUID archiveId) {
        Archive archive = find(archiveId);
        if (archive.removedAt() == null) {
            update(connection -> {
                try (PreparedStatement statement =
                        connection.prepareStatement("select audit_remove_prefix(?, make_interval(secs => ?))")) {
                    statement.setObject(1, archiveId);
                    statement.setDouble(2, properties.shortest().toSeconds());
                    statement.executeQuery().close();
                }
                return true;
            });
        }
        ChainMarker marker = marker();
        if (marker == null || !marker.archiveId().equals(archiveId)) {
            throw new RetentionRefused(
                    ProblemKind.CONFLICT,
                    "not-the-start",
                    "Archive " + archiveId + " was removed, but a later removal moved the chain's start since");
        }
        // the source id makes a retried job record the removal once
        audit.append(AuditEvent.builder(
                        "audit.retention.removed",
                        AuditActor.system("warden-retention"),
                        new AuditTarget("audit-archive", archiveId.toString()))
                .sourceId("audit.retention.removed:" + archiveId)
                .detail("firstSequence", archive.firstSequence())
                .detail("lastSequence", archive.lastSequence())
                .detail("removed", marker.removed())
                .detail("sha256", archive.sha256())
                .detail("requestedBy", archive.requestedBy())
                .detail("approvedBy", archive.approvedBy())
                .detail("chainStartsAt", marker.firstSequence())
                .detail("anchorHash", marker.anchorHash())
                .build());
        return marker;
    }

    @Override
    public List<Archive> archives() {
        return query(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("select " + ARCHIVE_COLUMNS + " "
                            + ARCHIVE_FROM + " order by a.created_at desc, a.first_seq desc limit 500");
                    ResultSet rs = statement.executeQuery()) {
                List<Archive> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(archive(rs));
                }
                return List.copyOf(result);
            }
        });
    }

    /** @throws RetentionRefused {@code not-found} */
    public Archive find(UUID archiveId) {
        Optional<Archive> found = query(connection -> {
            try (PreparedStatement statement =
                    connection.prepareStatement("select " + ARCHIVE_COLUMNS + " " + ARCHIVE_FROM + " where a.id = ?")) {
                statement.setObject(1, archiveId);
                try (ResultSet rs = statement.executeQuery()) {
                    return rs.next() ? Optional.of(archive(rs)) : Optional.<Archive>empty();
                }
            }
        });
        return found.orElseThrow(
                () -> new RetentionRefused(ProblemKind.NOT_FOUND, "not-found", "No audit archive " + archiveId));
    }

    @Override
    public @Nullable ChainMarker marker() {
        return query(connection -> Optional.ofNullable(ChainMarkers.current(connection)))
                .orElse(null);
    }

    @Override
    public LegalHold placeHold(LegalHold.Scope scope, String by) {
        UUID id = ids.generateId();
        Instant now = clock.instant();
        audit.append(AuditEvent.builder(
                        "audit.legal_hold.placed", AuditActor.person(by), new AuditTarget("legal-hold", id.toString()))
                .agent(scope.agentId())
                .detail("personId", scope.personId())
                .detail("fromSequence", scope.fromSequence())
                .detail("toSequence", scope.toSequence())
                .detail("fromTime", scope.fromTime())
                .detail("toTime", scope.toTime())
                .detail("reason", scope.reason())
                .build());
        update(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("""
                    insert into audit_legal_hold (id, agent_id, person_id, from_seq, to_seq, from_time, to_time, reason,
                        created_by, created_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                statement.setObject(1, id);
                statement.setString(2, scope.agentId());
                statement.setString(3, scope.personId());
                statement.setObject(4, scope.fromSequence(), Types.BIGINT);
                statement.setObject(5, scope.toSequence(), Types.BIGINT);
                statement.setTimestamp(6, timestamp(scope.fromTime()));
                statement.setTimestamp(7, timestamp(scope.toTime()));
                statement.setString(8, scope.reason());
                statement.setString(9, by);
                statement.setTimestamp(10, Timestamp.from(now));
                statement.executeUpdate();
            }
            return true;
        });
        return hold(id);
    }

    @Override
    public List<LegalHold> holds() {
        return query(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("select " + HOLD_COLUMNS
                            + " from audit_legal_hold order by released_at is not null, created_at desc limit 500");
                    ResultSet rs = statement.executeQuery()) {
                List<LegalHold> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(hold(rs));
                }
                return List.copyOf(result);
            }
        });
    }

    @Override
    public LegalHold releaseHold(UUID id, String by) {
        LegalHold hold = hold(id);
        if (!hold.active()) {
            throw new RetentionRefused(
                    ProblemKind.CONFLICT,
                    "hold-released",
                    "Legal hold " + id + " was released by " + hold.releasedBy());
        }
        audit.append(AuditEvent.builder(
                        "audit.legal_hold.released",
                        AuditActor.person(by),
                        new AuditTarget("legal-hold", id.toString()))
                .agent(hold.agentId())
                .detail("personId", hold.personId())
                .detail("reason", hold.reason())
                .detail("placedBy", hold.createdBy())
                .build());
        update(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "update audit_legal_hold set released_by = ?, released_at = ? where id = ? and released_at is null")) {
                statement.setString(1, by);
                statement.setTimestamp(2, Timestamp.from(clock.instant()));
                statement.setObject(3, id);
                statement.executeUpdate();
            }
            return true;
        });
        return hold(id);
    }

    private LegalHold hold(UUID id) {
        Optional<LegalHold> found = query(connection -> {
            try (PreparedStatement statement =
                    connection.prepareStatement("select " + HOLD_COLUMNS + " from audit_legal_hold where id = ?")) {
                statement.setObject(1, id);
                try (ResultSet rs = statement.executeQuery()) {
                    return rs.next() ? Optional.of(hold(rs)) : Optional.<LegalHold>empty();
                }
            }
        });
        return found.orElseThrow(() -> new RetentionRefused(ProblemKind.NOT_FOUND, "not-found", "No legal hold " + id));
    }

    private static LegalHold hold(ResultSet rs) throws SQLException {
        return new LegalHold(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                rs.getObject(4, Long.class),
                rs.getObject(5, Long.class),
                instant(rs, 6),
                instant(rs, 7),
                rs.getString(8),
                rs.getString(9),
                rs.getObject(10, OffsetDateTime.class).toInstant(),
                rs.getString(11),
                instant(rs, 12));
    }

    private static Archive archive(ResultSet rs) throws SQLException {
        return new Archive(
                rs.getObject(1, UUID.class),
                rs.getLong(2),
                rs.getLong(3),
                rs.getLong(4),
                rs.getString(5),
                HexFormat.of().formatHex(rs.getBytes(6)),
                rs.getString(7),
                rs.getObject(8, OffsetDateTime.class).toInstant(),
                rs.getString(9),
                instant(rs, 10),
                instant(rs, 11));
    }

    private static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static @Nullable Timestamp timestamp(@Nullable Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    /** A LIKE pattern for actions starting with {@code prefix}, its wildcards escaped. */
    static String like(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T query(Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the audit retention state", e);
        }
    }

    private void update(Work<Boolean> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                work.run(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                String code = e instanceof SQLException sql ? RetentionRefused.codeOfSqlState(sql.getSQLState()) : null;
                if (code != null) {
                    // the removal function's own refusal: its message names the reason
                    ServerErrorMessage server = e instanceof PSQLException psql ? psql.getServerErrorMessage() : null;
                    String message = server == null ? null : server.getMessage();
                    throw new RetentionRefused(
                            ProblemKind.CONFLICT, code, message == null ? String.valueOf(e.getMessage()) : message);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not write the audit retention state", e);
        }
    }
}
