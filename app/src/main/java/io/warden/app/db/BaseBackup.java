package io.warden.app.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * A base backup of a running PostgreSQL by file copy, the way {@code pg_basebackup} takes one (the embedded binaries
 * ship none): {@code pg_backup_start} and {@code pg_backup_stop} in non-exclusive mode on one connection, the data
 * folder copied while the server runs, and the {@code backup_label} that {@code pg_backup_stop} returns written into
 * the copy. The copy alone is inconsistent; it becomes consistent when the WAL from the backup's start to its end is
 * replayed from the archive, which {@code pg_backup_stop} waits for.
 */
final class BaseBackup {

    /** What a restored server rebuilds itself or must not inherit from the running one. */
    private static final Set<String> SKIPPED_FILES = Set.of(
            "postmaster.pid", "postmaster.opts", "epg-lock", "backup_label", "tablespace_map", "recovery.signal");

    private static final Set<String> EMPTIED_FOLDERS = Set.of(
            "pg_wal",
            "pg_replslot",
            "pg_stat_tmp",
            "pg_dynshmem",
            "pg_notify",
            "pg_serial",
            "pg_snapshots",
            "pg_subtrans");

    /** Where the backup began and ended in the WAL. */
    record Result(String startLsn, String stopLsn, String label) {}

    private BaseBackup() {}

    /**
     * Copies {@code pgdata} into {@code target} (which must not exist) between the start and the stop of a backup
     * on {@code superuser}, a connection to the server running on {@code pgdata}.
     */
    static Result take(Connection superuser, Path pgdata, Path target, String label) {
        if (Files.exists(target)) {
            throw new IllegalArgumentException("The backup folder " + target + " exists already; give a new one");
        }
        try (Statement statement = superuser.createStatement()) {
            String startLsn;
            // non-exclusive: the backup lives as long as this session, and ends only on this connection
            try (ResultSet start =
                    statement.executeQuery("select pg_backup_start('" + label.replace("'", "") + "', true)::text")) {
                start.next();
                startLsn = start.getString(1);
            }
            try {
                copy(pgdata, target);
            } catch (RuntimeException e) {
                statement.execute("select pg_backup_stop(false)");
                throw e;
            }
            // waits until the WAL up to the backup's end is archived: without it the copy cannot be made consistent
            try (ResultSet stop =
                    statement.executeQuery("select lsn::text, labelfile, spcmapfile from pg_backup_stop(true)")) {
                stop.next();
                String stopLsn = stop.getString(1);
                Files.writeString(target.resolve("backup_label"), stop.getString(2), StandardCharsets.UTF_8);
                String tablespaces = stop.getString(3);
                if (tablespaces != null && !tablespaces.isEmpty()) {
                    Files.writeString(target.resolve("tablespace_map"), tablespaces, StandardCharsets.UTF_8);
                }
                return new Result(startLsn, stopLsn, label);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The base backup of " + pgdata + " failed", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the backup label into " + target, e);
        }
    }

    /** A copy of a live folder: files the server removes during the copy are skipped, as pg_basebackup does. */
    static void copy(Path from, Path to) {
        try {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Path relative = from.relativize(dir);
                    Path copy = to.resolve(relative.toString());
                    Files.createDirectories(copy);
                    // PostgreSQL refuses a data folder others may read (0700 or 0750 only)
                    Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(dir));
                    if (relative.getNameCount() == 1 && EMPTIED_FOLDERS.contains(relative.toString())) {
                        if (relative.toString().equals("pg_wal")) {
                            Files.createDirectories(to.resolve("pg_wal").resolve("archive_status"));
                        }
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path relative = from.relativize(file);
                    if (relative.getNameCount() == 1 && SKIPPED_FILES.contains(relative.toString())) {
                        return FileVisitResult.CONTINUE;
                    }
                    try {
                        Files.copy(file, to.resolve(relative.toString()), StandardCopyOption.COPY_ATTRIBUTES);
                    } catch (NoSuchFileException gone) {
                        // dropped by the server mid-copy; the WAL replay does not need it
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not copy " + from + " to " + to, e);
        }
    }
}
