package io.warden.app.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Password authentication (SCRAM-SHA-256) for the embedded PostgreSQL, so that a local process cannot connect
 * as its superuser, or as the application, just because it runs on the same host.
 *
 * <p>Three kinds of start, told apart before the server starts ({@link #prepare}):
 * <ul>
 * <li>a new folder: initdb sets the superuser's password and writes a password-only {@code pg_hba.conf}, so the
 * server never runs a moment with trust;
 * <li>a folder with its password file: {@code pg_hba.conf} is made password-only before the server starts;
 * <li>a folder made before Warden used passwords (trust in {@code pg_hba.conf}, no password file): it starts as
 * it always did, then the passwords are set, written and required, and the configuration reloaded.
 * </ul>
 * A folder whose {@code pg_hba.conf} already requires passwords but whose password file is missing or unreadable
 * does not start: Warden says why instead of waiting for a server it cannot log in to.
 */
final class EmbeddedAuthentication {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedAuthentication.class);

    /**
     * Every connection, over the socket or TCP, to any database as any role, needs its password. Lines that match
     * nothing are refused by PostgreSQL, so connections from elsewhere than this host find no way in.
     */
    static final String PASSWORDS_ONLY = """
            # Written by Warden: every connection needs its role's password (SCRAM-SHA-256); the passwords are in
            # warden-passwords.properties, owner-only. Anything not matched here is refused.
            # TYPE  DATABASE     USER  ADDRESS        METHOD
            local   all          all                  scram-sha-256
            host    all          all   127.0.0.1/32   scram-sha-256
            host    all          all   ::1/128        scram-sha-256
            local   replication  all                  scram-sha-256
            host    replication  all   127.0.0.1/32   scram-sha-256
            host    replication  all   ::1/128        scram-sha-256
            """;

    private enum Kind {
        NEW_FOLDER,
        PASSWORDS,
        TRUST_UPGRADE
    }

    private final Path dataDir;
    private final Kind kind;
    private final EmbeddedPasswords passwords;
    private final Path initdbPasswordFile;

    private EmbeddedAuthentication(Path dataDir, Kind kind, EmbeddedPasswords passwords) {
        this.dataDir = dataDir;
        this.kind = kind;
        this.passwords = passwords;
        this.initdbPasswordFile = dataDir.resolveSibling(dataDir.getFileName() + ".initdb-password");
    }

    /**
     * Decides how the server in {@code dataDir} is to be started, reading or generating its passwords.
     *
     * @throws IllegalStateException when the folder requires passwords that Warden cannot read (fail closed)
     */
    static EmbeddedAuthentication prepare(Path dataDir) {
        // the very test the embedded server makes before it runs initdb
        if (!Files.exists(dataDir.resolve("postgresql.conf"))) {
            return new EmbeddedAuthentication(dataDir, Kind.NEW_FOLDER, EmbeddedPasswords.generate());
        }
        if (Files.exists(EmbeddedPasswords.fileIn(dataDir)) || !trusts(dataDir.resolve("pg_hba.conf"))) {
            // reading a missing file fails closed with the message that says what to do
            return new EmbeddedAuthentication(dataDir, Kind.PASSWORDS, EmbeddedPasswords.read(dataDir));
        }
        return new EmbeddedAuthentication(dataDir, Kind.TRUST_UPGRADE, EmbeddedPasswords.generate());
    }

    /** Whether some line of {@code hba} lets a connection in without a password. */
    static boolean trusts(Path hba) {
        List<String> lines;
        try {
            lines = Files.readAllLines(hba, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + hba, e);
        }
        return lines.stream()
                .map(line -> line.replaceFirst("#.*", "").trim())
                .filter(line -> !line.isEmpty())
                .anyMatch(line -> List.of(line.split("\\s+")).contains("trust"));
    }

    /**
     * Sets up the server's start: initdb's superuser password for a new folder, the superuser's password for the
     * start-up check, and a password-only {@code pg_hba.conf} before the server reads it.
     */
    EmbeddedPostgres.Builder configure(EmbeddedPostgres.Builder builder) {
        if (kind == Kind.NEW_FOLDER) {
            writeInitdbPasswordFile();
            // The embedded server runs "initdb -A trust" and appends these as "--key=value" options; initdb takes
            // the last -A/--auth it is given, so the cluster is born requiring passwords.
            builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", initdbPasswordFile.toString());
        }
        builder.setConnectConfig("password", passwords.superuser());
        // runs after initdb and before the server starts
        builder.setDataDirectoryCustomizer(folder -> {
            if (kind == Kind.NEW_FOLDER) {
                passwords.writeTo(dataDir);
            }
            if (kind != Kind.TRUST_UPGRADE) {
                requirePasswords();
            }
        });
        return builder;
    }

    private void writeInitdbPasswordFile() {
        try {
            Files.deleteIfExists(initdbPasswordFile);
            EmbeddedPasswords.createOwnerOnly(initdbPasswordFile);
            Files.writeString(initdbPasswordFile, passwords.superuser() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + initdbPasswordFile, e);
        }
    }

    /** Removes initdb's copy of the superuser's password; called once the start is over, whatever its outcome. */
    void cleanUp() {
        try {
            Files.deleteIfExists(initdbPasswordFile);
        } catch (IOException e) {
            log.warn("Could not delete {}; delete it by hand", initdbPasswordFile, e);
        }
    }

    /**
     * With the server up: creates the database and the application role with its password, moves a folder from
     * trust to passwords, and leaves {@code pg_hba.conf} password-only.
     */
    void secure(EmbeddedPostgres postgres, String database, String appRole) {
        boolean upgrade = kind == Kind.TRUST_UPGRADE;
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            var exists = statement.executeQuery("select 1 from pg_database where datname = '" + database + "'");
            if (!exists.next()) {
                statement.execute("create database " + database);
            }
            var role = statement.executeQuery("select 1 from pg_roles where rolname = '" + appRole + "'");
            if (!role.next()) {
                statement.execute("create role " + appRole + " login");
            }
            statement.execute("grant connect on database " + database + " to " + appRole);
            // The driver computes the SCRAM verifier, so the password itself never reaches the server, its logs
            // or pg_stat_activity. The application role's is set on every start: a role renamed by
            // warden.db.app-role gets it too.
            PGConnection pg = connection.unwrap(PGConnection.class);
            if (upgrade) {
                pg.alterUserPassword("postgres", passwords.superuser().toCharArray(), "scram-sha-256");
            }
            pg.alterUserPassword(appRole, passwords.application().toCharArray(), "scram-sha-256");
            if (upgrade) {
                // written only once the roles have them: a crash before this point leaves a trust folder to
                // upgrade again, a crash after it a password file that matches the roles
                passwords.writeTo(dataDir);
            }
            if (requirePasswords()) {
                statement.execute("select pg_reload_conf()");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not set up the database '" + database + "' in the embedded PostgreSQL", e);
        }
        if (upgrade) {
            log.warn(
                    "The embedded PostgreSQL in {} let any local process connect without a password (trust, as folders "
                            + "made by earlier versions do). It now requires passwords (SCRAM-SHA-256) for every connection: "
                            + "new passwords for postgres and {} are in {} (owner-only). Data untouched.",
                    dataDir,
                    appRole,
                    EmbeddedPasswords.fileIn(dataDir));
        } else if (kind == Kind.NEW_FOLDER) {
            log.info(
                    "The embedded PostgreSQL requires passwords (SCRAM-SHA-256); they are in {} (owner-only)",
                    EmbeddedPasswords.fileIn(dataDir));
        }
    }

    /** Makes {@code pg_hba.conf} password-only; true when it had to be rewritten. */
    private boolean requirePasswords() {
        Path hba = dataDir.resolve("pg_hba.conf");
        try {
            if (Files.exists(hba)
                    && Files.readString(hba, StandardCharsets.UTF_8).equals(PASSWORDS_ONLY)) {
                return false;
            }
            Path temporary = hba.resolveSibling("pg_hba.conf.warden-tmp");
            Files.deleteIfExists(temporary);
            EmbeddedPasswords.createOwnerOnly(temporary);
            Files.writeString(temporary, PASSWORDS_ONLY, StandardCharsets.UTF_8);
            Files.move(temporary, hba, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + hba, e);
        }
    }

    EmbeddedPasswords passwords() {
        return passwords;
    }
}
