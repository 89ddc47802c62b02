package io.warden.app.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The write-ahead-log archive of the embedded PostgreSQL: where {@code archive_command} copies each finished segment,
 * and where {@code restore_command} reads them back during a point-in-time restore.
 *
 * <p>The embedded server passes its settings to {@code pg_ctl -o}, which hands them to a shell: a command with spaces
 * must be quoted for that shell. Folder names are therefore held to characters that need no escaping inside single
 * quotes, and refused otherwise rather than half-quoted.
 */
final class WalArchive {

    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_./+@:,=-]+");

    private WalArchive() {}

    /** Refuses a folder the shell quoting could not carry. */
    static void validate(Path folder) {
        String path = folder.toAbsolutePath().normalize().toString();
        if (!SAFE_PATH.matcher(path).matches()) {
            throw new IllegalArgumentException("warden.db.wal-archive must be a path of letters, digits and _./+@:,=- "
                    + "(it is passed to PostgreSQL's archive_command through a shell), got " + path);
        }
    }

    /**
     * Turns archiving on: each segment is copied once (an existing file is never overwritten, so two servers pointed
     * at one archive fail loudly instead of mixing histories), and a partly filled segment is switched and archived
     * after {@code timeout}, which bounds what a restore from the archive loses.
     */
    static void archiveTo(EmbeddedPostgres.Builder builder, Path archive, Duration timeout) {
        validate(archive);
        builder.setServerConfig("wal_level", "replica")
                .setServerConfig("archive_mode", "on")
                .setServerConfig("archive_command", quoted(archiveCommand(archive)))
                .setServerConfig("archive_timeout", timeout.toSeconds() + "s");
    }

    static String archiveCommand(Path archive) {
        String folder = archive.toAbsolutePath().normalize().toString();
        return "test ! -f " + folder + "/%f && cp %p " + folder + "/%f";
    }

    static String restoreCommand(Path archive) {
        validate(archive);
        return "cp " + archive.toAbsolutePath().normalize() + "/%f %p";
    }

    /** A value as the shell behind {@code pg_ctl -o} must see it to pass it to PostgreSQL whole. */
    static String quoted(String value) {
        if (value.contains("'")) {
            throw new IllegalArgumentException("a server setting passed through the shell cannot hold a quote");
        }
        return "'" + value + "'";
    }
}
