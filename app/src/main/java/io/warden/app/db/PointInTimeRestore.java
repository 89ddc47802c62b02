package io.warden.app.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Restores a {@link BaseBackup} into a new folder and replays the archived WAL up to a point in time: the backup is
 * copied, {@code recovery.signal} asks for archive recovery, and the server is started once with
 * {@code restore_command}, {@code recovery_target_time} and {@code recovery_target_action = promote}. When it has
 * promoted, it is stopped again; the folder is then an ordinary data folder that Warden starts like any other.
 *
 * <p>The recovery settings are given on the command line of that one start, never written into the folder, so a
 * later start cannot replay a second time or to another point.
 */
final class PointInTimeRestore {

    /** The restored folder's last audit record and checkpoint, read before Warden starts on it (and appends). */
    record Restored(
            long lastSequence,
            @Nullable Instant lastRecordTime,
            long lastCheckpointSequence,
            @Nullable Instant lastCheckpointTime,
            @Nullable Long lastAnchoredSequence,
            String timeline) {}

    /** PostgreSQL's recovery_target_time takes its own input form, not ISO 8601's T and Z. */
    private static final DateTimeFormatter RECOVERY_TARGET = DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd HH:mm:ss.SSSSSS'+00'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final Duration PROMOTE_WAIT = Duration.ofMinutes(5);

    private PointInTimeRestore() {}

    static Restored restore(Path backup, Path walArchive, Instant target, Path pgdata, String database) {
        if (Files.exists(pgdata)) {
            throw new IllegalArgumentException("The restore folder " + pgdata + " exists already; give a new one");
        }
        BaseBackup.copy(backup, pgdata);
        try {
            Files.copy(backup.resolve("backup_label"), pgdata.resolve("backup_label"));
            Files.writeString(pgdata.resolve("recovery.signal"), "", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare " + pgdata + " for recovery", e);
        }
        EmbeddedPasswords passwords = EmbeddedPasswords.read(pgdata);
        EmbeddedPostgres server;
        try {
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(pgdata)
                    .setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("archive_mode", "off")
                    .setServerConfig("restore_command", WalArchive.quoted(WalArchive.restoreCommand(walArchive)))
                    .setServerConfig("recovery_target_time", WalArchive.quoted(RECOVERY_TARGET.format(target)))
                    .setServerConfig("recovery_target_action", "promote")
                    .setConnectConfig("password", passwords.superuser())
                    .setRegisterShutdownHook(false)
                    .start();
        } catch (IOException e) {
            DataFolderOwner.stopAfterFailedStart(pgdata);
            throw new UncheckedIOException("The restored PostgreSQL in " + pgdata + " did not start; see its log", e);
        }
        try (server) {
            try (Connection postgres = server.getPostgresDatabase().getConnection()) {
                awaitPromotion(postgres);
            }
            try (Connection warden = server.getDatabase("postgres", database).getConnection()) {
                return read(warden);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the restored database in " + pgdata, e);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not stop the restored PostgreSQL in " + pgdata, e);
        }
    }

    /** Waits, on the server's own clock, for the replay to reach the target and the server to promote. */
    private static void awaitPromotion(Connection postgres) throws SQLException {
        try (Statement statement = postgres.createStatement()) {
            for (long waited = 0; waited < PROMOTE_WAIT.toMillis(); waited += 100) {
                try (ResultSet recovering = statement.executeQuery("select pg_is_in_recovery()")) {
                    recovering.next();
                    if (!recovering.getBoolean(1)) {
                        return;
                    }
                }
                statement.execute("select pg_sleep(0.1)");
            }
        }
        throw new IllegalStateException("The restored PostgreSQL was still recovering after " + PROMOTE_WAIT);
    }

    private static Restored read(Connection warden) throws SQLException {
        try (Statement statement = warden.createStatement()) {
            long lastSequence = 0;
            Instant lastRecordTime = null;
            try (ResultSet last =
                    statement.executeQuery("select seq, time from audit_event order by seq desc limit 1")) {
                if (last.next()) {
                    lastSequence = last.getLong(1);
                    lastRecordTime = last.getObject(2, OffsetDateTime.class).toInstant();
                }
            }
            long lastCheckpoint = 0;
            Instant lastCheckpointTime = null;
            try (ResultSet checkpoint = statement.executeQuery(
                    "select last_seq, time from audit_checkpoint order by last_seq desc limit 1")) {
                if (checkpoint.next()) {
                    lastCheckpoint = checkpoint.getLong(1);
                    lastCheckpointTime =
                            checkpoint.getObject(2, OffsetDateTime.class).toInstant();
                }
            }
            String timeline;
            try (ResultSet line = statement.executeQuery("select timeline_id::text from pg_control_checkpoint()")) {
                line.next();
                timeline = line.getString(1);
            }
            return new Restored(
                    lastSequence,
                    lastRecordTime,
                    lastCheckpoint,
                    lastCheckpointTime,
                    lastAnchored(statement),
                    timeline);
        }
    }

    /**
     * The last checkpoint with a stored RFC 3161 token ({@code audit_checkpoint_timestamp}, the audit module's V23_01),
     * or null when none was anchored (anchoring off, or a database from before anchoring existed).
     */
    private static @Nullable Long lastAnchored(Statement statement) throws SQLException {
        try (ResultSet exists = statement.executeQuery(
                "select to_regclass(current_schema() || '.audit_checkpoint_timestamp') is not null")) {
            exists.next();
            if (!exists.getBoolean(1)) {
                return null;
            }
        }
        try (ResultSet max = statement.executeQuery("select max(last_seq) from audit_checkpoint_timestamp")) {
            max.next();
            long value = max.getLong(1);
            return max.wasNull() ? null : value;
        }
    }
}
