package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.audit.AuditRetention;
import io.warden.audit.ChainMarker;
import io.warden.audit.ExportVerifier;
import io.warden.audit.LegalHold;
import io.warden.audit.RetentionRefused;
import io.warden.audit.Verification;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.util.JdkIdGenerator;

/**
 * Retention end to end on a real database, the application working as its own role: an expired start of the chain is
 * archived (a signed export that verify-export accepts), removed only after a second person approves, and what
 * remains verifies from the marker; the removal function refuses on its own what the application should not ask.
 */
class RetentionTests {

    private static final String APP_ROLE = "audit_retention_app";
    /** Old records: well past the 400-day retention and the 365-day floor. */
    private static final Duration AGE = Duration.ofDays(800);

    @TempDir
    Path keys;

    @TempDir
    Path archiveDir;

    AuditDatabase database;
    SigningKeys.SigningKey key;
    PostgresAuditLog log;
    PGSimpleDataSource app;
    PostgresAuditRetention retention;

    @BeforeEach
    void start() {
        database = new AuditDatabase(APP_ROLE);
        key = SigningKeys.generatedIn(keys);
        app = new PGSimpleDataSource();
        app.setUrl(AuditDatabase.server().getJdbcUrl(APP_ROLE, database.name));
        // 25 old records (checkpoints at 10 and 20), then 15 young ones (checkpoints at 30 and 40)
        log = new PostgresAuditLog(
                app, Clock.offset(Clock.systemUTC(), AGE.negated()), key, PostgresAuditLogTests.properties());
        log.start();
        append(1, 25);
        log.stop();
        log = new PostgresAuditLog(app, Clock.systemUTC(), key, PostgresAuditLogTests.properties());
        log.start();
        append(26, 40);
        AuditExporter exporter = new AuditExporter(app, key);
        retention = new PostgresAuditRetention(
                app,
                exporter,
                log,
                Clock.systemUTC(),
                new RetentionProperties(Duration.ofDays(400), Map.of("gateway.*", Duration.ofDays(400)), archiveDir),
                new JdkIdGenerator());
    }

    @AfterEach
    void stop() {
        log.stop();
    }

    private void append(int from, int to) {
        for (int i = from; i <= to; i++) {
            log.append(PostgresAuditLogTests.event(i));
        }
    }

    @Test
    void anExpiredRangeIsArchivedThenRemovedAfterTwoPeopleApproveAndTheRestVerifiesFromTheMarker() throws Exception {
        assertThat(retention.removable()).isEqualTo(new AuditRetention.Range(1, 20));
        assertThat(retention.expired())
                .filteredOn(range -> range.prefix().equals("*"))
                .singleElement()
                .satisfies(range -> {
                    assertThat(range.records()).isEqualTo(25);
                    assertThat(range.firstSequence()).isEqualTo(1L);
                    assertThat(range.lastSequence()).isEqualTo(25L);
                });

        AuditRetention.Archive archive = retention.archive("alice");
        assertThat(archive.firstSequence()).isEqualTo(1);
        assertThat(archive.lastSequence()).isEqualTo(20);
        assertThat(archive.events()).isEqualTo(20);
        Path file = archiveDir.resolve(archive.file());
        byte[] bytes = Files.readAllBytes(file);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
                .isEqualTo(archive.sha256());
        Verification offline = ExportVerifier.verify(
                new StringReader(new String(bytes, StandardCharsets.UTF_8)), Map.of(key.keyId(), key.publicKey()));
        assertThat(offline.valid()).as("%s", offline).isTrue();
        assertThat(offline.eventsChecked()).isEqualTo(20);

        assertThatThrownBy(() -> retention.remove(archive.id()))
                .isInstanceOfSatisfying(
                        RetentionRefused.class, e -> assertThat(e.code()).isEqualTo("not-approved"));
        assertThatThrownBy(() -> retention.approve(archive.id(), "alice"))
                .isInstanceOfSatisfying(
                        RetentionRefused.class, e -> assertThat(e.code()).isEqualTo("approver-is-requester"));
        assertThat(count("select count(*) from audit_event where seq <= 20")).isEqualTo(20);

        retention.approve(archive.id(), "bob");
        ChainMarker marker = retention.remove(archive.id());

        assertThat(marker.firstSequence()).isEqualTo(21);
        assertThat(marker.anchorSequence()).isEqualTo(20);
        assertThat(marker.archiveSha256()).isEqualTo(archive.sha256());
        assertThat(marker.removed()).isEqualTo(20);
        assertThat(count("select count(*) from audit_event where seq <= 20")).isZero();
        assertThat(count("select min(seq) from audit_event")).isEqualTo(21);
        // removing again changes nothing and records nothing new (the job that runs it may be retried)
        assertThat(retention.remove(archive.id())).isEqualTo(marker);
        assertThat(count("select count(*) from audit_event where action = 'audit.retention.removed'"))
                .isEqualTo(1);

        long head = AuditRows.head(app);
        Verification remaining =
                PostgresAuditLogTests.newVerifier(database, key).verify(1, head);
        assertThat(remaining.valid()).as("%s", remaining).isTrue();
        assertThat(remaining.from()).isEqualTo(21);
        assertThat(remaining.marker()).isEqualTo(marker);
        Verification removed = PostgresAuditLogTests.newVerifier(database, key).verify(1, 20);
        assertThat(removed.valid()).isFalse();
        assertThat(removed.problem()).isEqualTo("removed-by-retention");

        // an export asked from the start now starts at the marker and verifies offline, as does the archive by CLI
        Path publicKey = keys.resolve("audit-signing-key.pub.pem");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = ExportVerifier.run(
                new String[] {"--public-key", publicKey.toString(), file.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(status).as(out.toString(StandardCharsets.UTF_8)).isZero();
        ByteArrayOutputStream export = new ByteArrayOutputStream();
        new AuditExporter(app, key).export(io.warden.audit.ExportFormat.NDJSON, 1, 30, export);
        Verification exported = ExportVerifier.verify(
                new StringReader(export.toString(StandardCharsets.UTF_8)), Map.of(key.keyId(), key.publicKey()));
        assertThat(exported.valid()).as("%s", exported).isTrue();
        assertThat(exported.from()).isEqualTo(21);
    }

    @Test
    void aLegalHoldBlocksRemovalUntilReleased() {
        LegalHold hold = retention.placeHold(
                new LegalHold.Scope("agent-3", null, null, null, null, null, "matter 2026-17"), "carol");
        assertThat(retention.holds()).extracting(LegalHold::id).containsExactly(hold.id());
        assertThat(retention.removable()).isNull();
        assertThatThrownBy(() -> retention.archive("alice"))
                .isInstanceOfSatisfying(
                        RetentionRefused.class, e -> assertThat(e.code()).isEqualTo("nothing-expired"));
        assertThat(count("select count(*) from audit_event where action = 'audit.legal_hold.placed'"))
                .isEqualTo(1);

        retention.releaseHold(hold.id(), "carol");
        assertThatThrownBy(() -> retention.releaseHold(hold.id(), "carol"))
                .isInstanceOfSatisfying(
                        RetentionRefused.class, e -> assertThat(e.code()).isEqualTo("hold-released"));
        assertThat(retention.removable()).isEqualTo(new AuditRetention.Range(1, 20));
    }

    @Test
    void aHoldByTimeRangeKeepsTheRangeAndWhatFollows() {
        Instant old = Instant.now().minus(AGE);
        retention.placeHold(
                new LegalHold.Scope(null, null, null, null, old.minus(Duration.ofDays(1)), old.plusSeconds(3600), "x"),
                "carol");
        assertThat(retention.removable()).isNull();
    }

    @Test
    void theApplicationRoleCannotDeleteFromTheTrail() throws SQLException {
        try (Connection connection = app.getConnection();
                Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("delete from audit_event where seq = 1"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> statement.execute("delete from audit_checkpoint where last_seq = 10"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            // setting the removal flag itself opens nothing: the role still has no DELETE privilege
            statement.execute("select set_config('warden.audit_removal', 'on', false)");
            assertThatThrownBy(() -> statement.execute("delete from audit_event where seq = 1"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> statement.execute("delete from audit_chain_marker"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
        }
        assertThat(count("select count(*) from audit_event where seq = 1")).isEqualTo(1);
    }

    @Test
    void theFunctionRefusesWithoutAnArchive() {
        assertThatThrownBy(() -> retention.remove(UUID.randomUUID()))
                .isInstanceOfSatisfying(
                        RetentionRefused.class, e -> assertThat(e.code()).isEqualTo("not-found"));
        assertThat(functionRefusal(UUID.randomUUID())).isEqualTo("WA001");
    }

    @Test
    void theFunctionRefusesAHeldRangeEvenWhenTheApplicationAsksForIt() throws SQLException {
        UUID archive = forgedArchive(1, 20, 20);
        retention.placeHold(new LegalHold.Scope(null, "person-1", null, null, null, null, "litigation"), "carol");
        assertThat(functionRefusal(archive)).isEqualTo("WA007");
        assertThatThrownBy(() -> retention.remove(archive))
                .isInstanceOfSatisfying(
                        RetentionRefused.class, e -> assertThat(e.code()).isEqualTo("held"));
        assertThat(count("select count(*) from audit_event where seq <= 20")).isEqualTo(20);
    }

    @Test
    void theFunctionRefusesRecordsYoungerThanTheFloorWhateverTheCallerAsks() throws SQLException {
        UUID archive = forgedArchive(1, 30, 30);
        try (Connection connection = app.getConnection();
                PreparedStatement statement =
                        connection.prepareStatement("select audit_remove_prefix(?, interval '1 second')")) {
            statement.setObject(1, archive);
            assertThatThrownBy(statement::executeQuery)
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("WA006"));
        }
        assertThat(count("select count(*) from audit_event where seq <= 30")).isEqualTo(30);
    }

    @Test
    void theFunctionCutsOnlyTheStartOfTheChainAndOnlyAtACheckpoint() throws SQLException {
        assertThat(functionRefusal(forgedArchive(11, 20, 10))).isEqualTo("WA004");
        assertThat(functionRefusal(forgedArchive(1, 15, 15))).isEqualTo("WA005");
        assertThat(functionRefusal(forgedArchive(1, 20, 19))).isEqualTo("WA008");
        assertThat(count("select count(*) from audit_event where seq <= 20")).isEqualTo(20);
    }

    @Test
    void retentionShorterThanTheFloorIsRefusedAtStartUp() {
        assertThatThrownBy(() -> new RetentionProperties(
                        Duration.ofDays(400), Map.of("gateway.*", Duration.ofDays(30)), archiveDir))
                .hasMessageContaining("warden.audit.retention.periods[gateway.*]");
        assertThatThrownBy(() -> new RetentionProperties(Duration.ofDays(10), Map.of(), archiveDir))
                .hasMessageContaining("default-period");
        assertThat(new RetentionProperties(
                                Duration.ofDays(2000),
                                Map.of("gateway.*", Duration.ofDays(400), "gateway.mcp.", Duration.ofDays(500)),
                                archiveDir)
                        .rules())
                .extracting(RetentionProperties.Rule::prefix)
                .containsExactly("gateway.mcp.", "gateway.");
    }

    @Test
    void kindsAreKeptForTheirOwnPeriod() {
        // the default keeps records 900 days: nothing is past it, so nothing is removable
        PostgresAuditRetention longer = new PostgresAuditRetention(
                app,
                new AuditExporter(app, key),
                log,
                Clock.systemUTC(),
                new RetentionProperties(Duration.ofDays(900), Map.of("agent.*", Duration.ofDays(400)), archiveDir),
                new JdkIdGenerator());
        List<AuditRetention.ExpiredRange> expired = longer.expired();
        assertThat(expired)
                .filteredOn(range -> range.prefix().equals("agent."))
                .singleElement()
                .satisfies(range -> assertThat(range.records()).isEqualTo(25));
        assertThat(expired)
                .filteredOn(range -> range.prefix().equals("*"))
                .singleElement()
                .satisfies(range -> assertThat(range.records()).isZero());
    }

    /** An archive and approval written directly, as a caller holding the application's credentials could. */
    private UUID forgedArchive(long first, long last, long events) throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection connection = app.getConnection();
                PreparedStatement archive = connection.prepareStatement(
                        "insert into audit_archive (id, first_seq, last_seq, file, sha256, events, requested_by,"
                                + " created_at) values (?, ?, ?, 'forged', ?, ?, 'mallory', ?)");
                PreparedStatement approval = connection.prepareStatement(
                        "insert into audit_archive_approval (archive_id, approved_by, approved_at) values (?, 'eve', ?)")) {
            archive.setObject(1, id);
            archive.setLong(2, first);
            archive.setLong(3, last);
            archive.setBytes(4, new byte[32]);
            archive.setLong(5, events);
            archive.setTimestamp(6, Timestamp.from(Instant.now()));
            archive.executeUpdate();
            approval.setObject(1, id);
            approval.setTimestamp(2, Timestamp.from(Instant.now()));
            approval.executeUpdate();
        }
        return id;
    }

    private String functionRefusal(UUID archive) {
        try (Connection connection = app.getConnection();
                PreparedStatement statement =
                        connection.prepareStatement("select audit_remove_prefix(?, interval '400 days')")) {
            statement.setObject(1, archive);
            statement.executeQuery().close();
            return "removed";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    private long count(String sql) {
        try (Connection connection = database.dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
