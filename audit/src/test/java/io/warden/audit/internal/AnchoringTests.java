package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warden.audit.AuditAnchoring;
import io.warden.audit.AuditRecord;
import io.warden.audit.Checkpoint;
import io.warden.audit.ExportFormat;
import io.warden.audit.ExportVerifier;
import io.warden.audit.Verification;
import io.warden.audit.internal.anchoring.AnchoringProperties;
import io.warden.audit.internal.anchoring.CheckpointAnchorer;
import io.warden.audit.internal.anchoring.HttpTimeStampAuthority;
import io.warden.audit.internal.anchoring.TimeStampAuthority;
import io.warden.audit.internal.anchoring.TimestampVerifier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints anchored by an RFC 3161 time-stamp authority (one built in the test with Bouncy Castle, over real
 * HTTP) on real PostgreSQL: tokens stored and verified, carried in every export format, and a history cut or
 * rewritten before an anchored checkpoint — by someone holding the database owner's role and the signing key,
 * who re-chains and re-signs everything — named at the right checkpoint.
 */
class AnchoringTests {

    @TempDir
    Path folder;

    AuditDatabase database;
    SigningKeys.SigningKey key;
    PostgresAuditLog log;
    TimeStampAuthorityServer tsa;
    TimestampVerifier trusted;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    CheckpointAnchorer anchorer;

    @BeforeEach
    void start() throws Exception {
        database = new AuditDatabase();
        key = SigningKeys.generatedIn(folder.resolve("keys"));
        log = PostgresAuditLogTests.newLog(database, key);
        log.start();
        tsa = new TimeStampAuthorityServer("Warden test TSA");
        trusted = new TimestampVerifier(
                TimestampVerifier.readCertificates(List.of(tsa.certificatePem(folder))), Duration.ofHours(1));
        anchorer = anchorer(properties(Duration.ofMinutes(1)), tsa, trusted);
    }

    @AfterEach
    void stop() {
        anchorer.stop();
        log.stop();
        tsa.close();
    }

    AnchoringProperties properties(Duration every) {
        return new AnchoringProperties(
                List.of(tsa.url()),
                List.of(Path.of("tsa.pem")),
                every,
                Duration.ofMillis(50),
                Duration.ofSeconds(5),
                Duration.ofHours(1));
    }

    CheckpointAnchorer anchorer(
            AnchoringProperties properties, TimeStampAuthorityServer server, TimestampVerifier verifier) {
        TimeStampAuthority authority =
                new HttpTimeStampAuthority(server.url(), Duration.ofSeconds(5), verifier, new SecureRandom());
        return new CheckpointAnchorer(
                database.dataSource,
                Clock.systemUTC(),
                List.of(authority),
                () -> log.checkpointIfOlderThan(Duration.ZERO),
                properties,
                meters);
    }

    PostgresAuditVerifier verifier(TimestampVerifier timestamps) {
        return new PostgresAuditVerifier(
                database.dataSource,
                Map.of(key.keyId(), key.publicKey()),
                PostgresAuditLogTests.properties(),
                timestamps);
    }

    void append(int count) {
        for (int i = 0; i < count; i++) {
            log.append(PostgresAuditLogTests.event(i));
        }
    }

    long head() {
        return new PostgresAuditTrail(database.dataSource).head();
    }

    @Test
    void everyCheckpointIsAnchoredAndVerificationNamesTheLastAnchored() {
        append(35);

        assertThat(anchorer.anchorPending()).isEqualTo(3);

        Verification verification = verifier(trusted).verify(1, head());
        assertThat(verification.valid()).as(verification.detail()).isTrue();
        assertThat(verification.anchorsChecked()).isEqualTo(3);
        assertThat(verification.lastAnchoredSequence()).isEqualTo(30);
        assertThat(verification.lastAnchoredAt()).isNotNull();
        assertThat(anchorer.status().lastAnchoredSequence()).isEqualTo(30);
        assertThat(anchorer.status().pending()).isZero();
        assertThat(meters.get("warden.audit.anchoring.anchored").counter().count())
                .isEqualTo(3);
    }

    @Test
    void theTimerAnchorsAQuietTrailWithinItsInterval() {
        anchorer = anchorer(properties(Duration.ofMillis(300)), tsa, trusted);
        anchorer.start();

        append(5); // fewer than a checkpoint's worth: only the timer signs and anchors them

        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> anchorer.status().lastAnchoredSequence() == 5);
        Verification verification = verifier(trusted).verify(1, 5);
        assertThat(verification.valid()).as(verification.detail()).isTrue();
        assertThat(verification.lastAnchoredSequence()).isEqualTo(5);
    }

    @Test
    void aRewriteBeforeAnAnchoredCheckpointFailsItsToken() throws Exception {
        append(35);
        anchorer.anchorPending();

        database.tamper("update audit_event set action = 'agent.forged' where seq = 15");
        rechainAndResign();

        // the signing key alone no longer tells: the re-signed chain verifies without anchoring
        Verification unanchored =
                PostgresAuditLogTests.newVerifier(database, key).verify(1, head());
        assertThat(unanchored.valid()).isTrue();
        Verification verification = verifier(trusted).verify(1, head());
        assertThat(verification.valid()).isFalse();
        assertThat(verification.problem()).isEqualTo("anchor-mismatch");
        assertThat(verification.firstBadSequence()).isEqualTo(firstOfCheckpointCovering(15));
        assertThat(verification.lastAnchoredSequence()).isEqualTo(firstOfCheckpointCovering(15) - 1);
    }

    @Test
    void aCutBeforeAnAnchoredCheckpointFailsItsToken() throws Exception {
        append(35);
        anchorer.anchorPending();

        // records 11..15 removed, the rest renumbered so that no sequence is missing
        database.tamper(
                "delete from audit_event where seq between 11 and 15",
                "update audit_event set seq = seq + 1000000 where seq > 15",
                "update audit_event set seq = seq - 1000005 where seq > 1000000");
        rechainAndResign();

        assertThat(PostgresAuditLogTests.newVerifier(database, key)
                        .verify(1, head())
                        .valid())
                .isTrue();
        Verification verification = verifier(trusted).verify(1, head());
        assertThat(verification.valid()).isFalse();
        assertThat(verification.problem()).isEqualTo("anchor-mismatch");
        assertThat(verification.firstBadSequence()).isEqualTo(firstOfCheckpointCovering(15));
    }

    @Test
    void aRewrittenHistoryAnchoredAfreshLaterIsLate() throws Exception {
        append(35);
        anchorer.anchorPending();

        database.tamper("update audit_event set action = 'agent.forged' where seq = 15");
        rechainAndResign();
        database.tamper("delete from audit_checkpoint_timestamp where last_seq >= 15");
        tsa.clock.set(Clock.offset(Clock.systemUTC(), Duration.ofDays(2)));
        assertThat(anchorer.anchorPending()).isPositive();

        Verification verification = verifier(trusted).verify(1, head());
        assertThat(verification.valid()).isFalse();
        assertThat(verification.problem()).isEqualTo("anchor-late");
        assertThat(verification.firstBadSequence()).isEqualTo(firstOfCheckpointCovering(15));
    }

    @Test
    void exportsCarryTheTokensAndTheOfflineVerifierChecksThem() throws Exception {
        append(35);
        anchorer.anchorPending();
        AuditExporter exporter = new AuditExporter(database.dataSource, key);
        Map<String, PublicKey> keys = Map.of(key.keyId(), key.publicKey());

        for (ExportFormat format : ExportFormat.values()) {
            String file = export(exporter, format);
            Verification verification = ExportVerifier.verify(new StringReader(file), keys, trusted);
            assertThat(verification.valid())
                    .as(format + ": " + verification.detail())
                    .isTrue();
            assertThat(verification.anchorsChecked()).as(format.toString()).isEqualTo(3);
            assertThat(verification.lastAnchoredSequence())
                    .as(format.toString())
                    .isEqualTo(30);
        }

        database.tamper("update audit_event set action = 'agent.forged' where seq = 15");
        rechainAndResign();
        for (ExportFormat format : ExportFormat.values()) {
            String file = export(exporter, format);
            assertThat(ExportVerifier.verify(new StringReader(file), keys).valid())
                    .as(format + " without the TSA")
                    .isTrue();
            Verification verification = ExportVerifier.verify(new StringReader(file), keys, trusted);
            assertThat(verification.problem()).as(format.toString()).isEqualTo("anchor-mismatch");
            assertThat(verification.firstBadSequence()).as(format.toString()).isEqualTo(firstOfCheckpointCovering(15));
        }
    }

    @Test
    void verifyExportNamesTheLastAnchoredCheckpointWithTheTsaCertificate() throws Exception {
        append(35);
        anchorer.anchorPending();
        Path export = folder.resolve("export.ndjson");
        Files.writeString(export, export(new AuditExporter(database.dataSource, key), ExportFormat.NDJSON));
        Path publicKey = folder.resolve("keys").resolve("audit-signing-key.pub.pem");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = ExportVerifier.run(
                new String[] {
                    "--trust",
                    SigningKeys.fingerprint(key.publicKey()),
                    "--public-key",
                    publicKey.toString(),
                    "--tsa-cert",
                    tsa.certificatePem(folder).toString(),
                    export.toString()
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("3 time-stamps; anchored up to 30");
    }

    @Test
    void aTokenFromAnAuthorityNotTrustedIsRefusedAndVerificationFailsIt() throws Exception {
        try (TimeStampAuthorityServer other = new TimeStampAuthorityServer("Somebody else")) {
            append(10);
            CheckpointAnchorer untrusted = anchorer(properties(Duration.ofMinutes(1)), other, trusted);

            assertThat(untrusted.anchorPending()).isZero();
            assertThat(untrusted.status().lastFailure()).contains("not signed by a trusted TSA");

            // planted in the database directly, it fails verification
            TimestampVerifier theirs = new TimestampVerifier(
                    TimestampVerifier.readCertificates(List.of(other.certificatePem(folder))), Duration.ofHours(1));
            anchorer(properties(Duration.ofMinutes(1)), other, theirs).anchorPending();
            Verification verification = verifier(trusted).verify(1, head());
            assertThat(verification.problem()).isEqualTo("anchor-invalid");
        }
    }

    @Test
    void aReplayedReplyIsRefused() {
        append(10);
        assertThat(anchorer.anchorPending()).isEqualTo(1);
        tsa.replay = true;
        append(10);

        assertThat(anchorer.anchorPending()).isZero();
        assertThat(anchorer.status().lastFailure()).contains("mismatched");
    }

    @Test
    void aTsaThatIsDownNeverBlocksAppendsAndIsRetriedUntilItAnswers() {
        anchorer = anchorer(properties(Duration.ofMillis(400)), tsa, trusted);
        tsa.down = true;
        anchorer.start();

        long started = System.nanoTime();
        append(12);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> anchorer.status().consecutiveFailures() >= 2);
        AuditAnchoring.Status failing = anchorer.status();
        assertThat(failing.lastFailure()).contains("HTTP 503");
        assertThat(failing.lastAnchoredSequence()).isZero();
        assertThat(meters.get("warden.audit.anchoring.failures").counter().count())
                .isGreaterThanOrEqualTo(2);

        tsa.down = false;
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> anchorer.status().lastAnchoredSequence() == 12);
        assertThat(anchorer.status().consecutiveFailures()).isZero();
        assertThat(anchorer.status().lastFailure()).isNull();
    }

    @Test
    void withoutAnAuthorityAnchoringIsOffAndNothingRuns() {
        CheckpointAnchorer off = new CheckpointAnchorer(
                database.dataSource,
                Clock.systemUTC(),
                List.of(),
                () -> log.checkpointIfOlderThan(Duration.ZERO),
                AnchoringProperties.off(),
                meters);
        off.start();

        assertThat(off.isRunning()).isFalse();
        assertThat(off.status().enabled()).isFalse();
        append(12);
        assertThat(verifier(trusted).verify(1, head()).valid()).isTrue();
    }

    /** Where the checkpoint over {@code sequence} starts: a failure of its token is named there. */
    private long firstOfCheckpointCovering(long sequence) throws SQLException {
        try (Connection connection = database.dataSource.getConnection()) {
            return AuditRows.checkpoints(connection, "last_seq >= ? order by last_seq limit 1", sequence)
                    .getFirst()
                    .firstSequence();
        }
    }

    private String export(AuditExporter exporter, ExportFormat format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exporter.export(format, 1, head(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * What someone holding the database owner's role and the signing key does after changing records: recompute
     * every chain hash and re-sign every checkpoint over the new chain, with the triggers off.
     */
    private void rechainAndResign() throws SQLException {
        try (Connection connection = database.dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("set session_replication_role = replica");
            List<AuditRecord> records = new ArrayList<>();
            try (ResultSet rs =
                    statement.executeQuery("select " + AuditRows.COLUMNS + " from audit_event order by seq")) {
                while (rs.next()) {
                    records.add(AuditRows.map(rs));
                }
            }
            Chain chain = new Chain();
            byte[] previous = Chain.GENESIS;
            Map<Long, byte[]> hashes = new HashMap<>();
            try (PreparedStatement update =
                    connection.prepareStatement("update audit_event set hash = ? where seq = ?")) {
                for (AuditRecord record : records) {
                    previous = chain.next(
                            previous,
                            RecordCodecV1.canonicalText(record.sequence(), record.time(), record.event())
                                    .getBytes(StandardCharsets.UTF_8));
                    hashes.put(record.sequence(), previous);
                    update.setBytes(1, previous);
                    update.setLong(2, record.sequence());
                    update.executeUpdate();
                }
            }
            long lastCheckpoint = 0;
            try (PreparedStatement update = connection.prepareStatement(
                    "update audit_checkpoint set head_hash = ?, signature = ? where last_seq = ?")) {
                for (Checkpoint checkpoint : AuditRows.checkpoints(connection, "last_seq > ? order by last_seq", 0)) {
                    byte[] head = hashes.get(checkpoint.lastSequence());
                    if (head == null) {
                        statement.execute("delete from audit_checkpoint where last_seq = " + checkpoint.lastSequence());
                        continue;
                    }
                    update.setBytes(1, head);
                    update.setBytes(
                            2,
                            key.sign(CheckpointCodecV1.signedPayload(
                                    checkpoint.firstSequence(),
                                    checkpoint.lastSequence(),
                                    head,
                                    checkpoint.time(),
                                    key.keyId())));
                    update.setLong(3, checkpoint.lastSequence());
                    update.executeUpdate();
                    lastCheckpoint = checkpoint.lastSequence();
                }
            }
            try (PreparedStatement update = connection.prepareStatement(
                    "update audit_head set last_seq = ?, last_hash = ?, last_checkpoint_seq = ? where id = 1")) {
                update.setLong(1, records.size());
                update.setBytes(2, previous);
                update.setLong(3, lastCheckpoint);
                update.executeUpdate();
            }
        }
    }
}
