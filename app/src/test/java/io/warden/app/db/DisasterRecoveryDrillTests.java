package io.warden.app.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.WardenApplication;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.AuditTrail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The disaster-recovery drill on a small trail, on real PostgreSQL: a scratch Warden archives its WAL, is backed up
 * with pg_backup_start/pg_backup_stop and a file copy, writes on past a restore point, and is lost; the restore to that
 * point brings back every record before it and none after, and a Warden started on it verifies its chain.
 */
class DisasterRecoveryDrillTests {

    @Test
    void restoresToThePointInTimeAndTheChainStillVerifies(@TempDir Path work) throws IOException {
        var options = new DisasterRecoveryDrill.Options(work.resolve("drill"), null, null, 40, "warden", Map.of());

        DisasterRecoveryDrill.Report report = new DisasterRecoveryDrill(options, Clock.systemUTC(), System.err).run();

        assertThat(report.passed()).as(report.text()).isTrue();
        // 40 before the backup and 20 after it were committed by the restore point; 10 came after it
        assertThat(report.source().lastSequence()).isGreaterThanOrEqualTo(60);
        assertThat(report.source().head())
                .isGreaterThanOrEqualTo(report.source().lastSequence() + 10);
        assertThat(report.restored().lastSequence()).isEqualTo(report.source().lastSequence());
        assertThat(report.restored().lastRecordTime()).isBefore(report.restorePoint());
        assertThat(report.lostRecords()).isZero();
        assertThat(report.recordsAfterRestorePointRestored()).isZero();
        assertThat(report.rpoSeconds()).isZero();
        // a checkpoint every 25 records: at least two were restored, and the one after the point was not
        assertThat(report.restored().lastCheckpointSequence())
                .isGreaterThanOrEqualTo(50)
                .isLessThanOrEqualTo(report.restored().lastSequence());
        assertThat(report.restored().timeline()).isNotEqualTo("1");
        assertThat(report.chain().valid()).isTrue();
        assertThat(report.chain().eventsChecked())
                .isGreaterThanOrEqualTo(report.restored().lastSequence());
        assertThat(report.chain().checkpointsChecked()).isGreaterThanOrEqualTo(2);
        assertThat(report.chain().health()).isEqualTo("UP");
        assertThat(report.rtoSeconds()).isPositive().isLessThanOrEqualTo(report.drillSeconds());
        // the archive holds WAL segments the source's archive_command copied
        try (var segments = Files.list(work.resolve("drill/wal-archive"))) {
            assertThat(segments.map(p -> p.getFileName().toString())).anyMatch(name -> name.matches("[0-9A-F]{24}"));
        }
        assertThat(Files.exists(work.resolve("drill/restored/pgdata/recovery.signal")))
                .as("a promoted server has left recovery")
                .isFalse();
        String json = DisasterRecoveryDrill.toJson(report);
        assertThat(json)
                .contains(
                        "\"restorePoint\"",
                        "\"rpoSeconds\"",
                        "\"rtoSeconds\"",
                        "\"lastCheckpointSequence\"",
                        "\"lastAnchoredSequence\"",
                        "\"passed\":true");
    }

    @Test
    void drillsARunningWardenThatArchivesItsWalAndLeavesItRunning(@TempDir Path work) {
        Path source = work.resolve("warden");
        Path archive = work.resolve("wal");
        try (ConfigurableApplicationContext running = new SpringApplicationBuilder(WardenApplication.class)
                .run(
                        "--warden.data-dir=" + source,
                        "--server.port=0",
                        "--warden.demo.enabled=false",
                        "--warden.db.wal-archive=" + archive)) {
            AuditLog audit = running.getBean(AuditLog.class);
            for (int i = 0; i < 30; i++) {
                audit.append(AuditEvent.builder(
                                "test.recorded", AuditActor.system("dr-drill-test"), new AuditTarget("test", "t" + i))
                        .build());
            }
            long headBefore = running.getBean(AuditTrail.class).head();
            var options = DisasterRecoveryDrill.parse(new String[] {
                "--work",
                work.resolve("drill").toString(),
                "--source",
                source.toString(),
                "--wal-archive",
                archive.toString()
            });

            DisasterRecoveryDrill.Report report =
                    new DisasterRecoveryDrill(options, Clock.systemUTC(), System.err).run();

            assertThat(report.passed()).as(report.text()).isTrue();
            assertThat(report.mode()).isEqualTo("source");
            assertThat(report.restored().lastSequence()).isGreaterThanOrEqualTo(headBefore);
            assertThat(report.chain().eventsChecked()).isGreaterThanOrEqualTo(headBefore);
            // the source was backed up, not stopped: it still appends
            assertThat(audit.append(AuditEvent.builder(
                                            "test.recorded",
                                            AuditActor.system("dr-drill-test"),
                                            new AuditTarget("test", "after"))
                                    .build())
                            .sequence())
                    .isGreaterThan(headBefore);
        }
    }

    @Test
    void aBackupOfAFolderThatIsNotRunningFailsBeforeCopyingAnything(@TempDir Path work) throws IOException {
        Path source = work.resolve("warden");
        Files.createDirectories(source.resolve("pgdata"));
        Files.createDirectories(work.resolve("archive"));
        var options = DisasterRecoveryDrill.parse(new String[] {
            "--work",
            work.resolve("drill").toString(),
            "--source",
            source.toString(),
            "--wal-archive",
            work.resolve("archive").toString()
        });

        assertThatThrownBy(() -> new DisasterRecoveryDrill(options, Clock.systemUTC(), System.err).run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("running Warden");
        assertThat(work.resolve("drill/base-backup")).doesNotExist();
    }

    @Test
    void refusesHalfASourceAndUnknownArguments() {
        assertThatThrownBy(() -> DisasterRecoveryDrill.parse(new String[] {"--source", "/tmp/x"}))
                .hasMessageContaining("--wal-archive");
        assertThatThrownBy(() -> DisasterRecoveryDrill.parse(new String[] {"--events", "2"}))
                .hasMessageContaining("at least 4");
        assertThatThrownBy(() -> DisasterRecoveryDrill.parse(new String[] {"--delete-everything"}))
                .hasMessageContaining("unknown argument");
    }

    @Test
    void anArchiveFolderTheShellCouldMisreadIsRefused() {
        assertThatThrownBy(() -> WalArchive.validate(Path.of("/tmp/a b")))
                .hasMessageContaining("warden.db.wal-archive");
        assertThatThrownBy(() -> WalArchive.validate(Path.of("/tmp/x';rm -rf ~;'")))
                .hasMessageContaining("warden.db.wal-archive");
        assertThat(WalArchive.archiveCommand(Path.of("/var/lib/warden/wal")))
                .isEqualTo("test ! -f /var/lib/warden/wal/%f && cp %p /var/lib/warden/wal/%f");
    }
}
