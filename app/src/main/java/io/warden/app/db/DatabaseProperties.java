package io.warden.app.db;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where Warden keeps its data, under {@code warden.db} (environment: {@code WARDEN_DB_URL},
 * {@code WARDEN_DB_USER}, {@code WARDEN_DB_PASSWORD}, {@code WARDEN_DB_DATA_DIR}, ...).
 *
 * @param url      JDBC URL of an external PostgreSQL 15+; when empty Warden starts its embedded PostgreSQL
 * @param user     user for the external database
 * @param password password for the external database
 * @param dataDir  data folder of the embedded PostgreSQL; it survives restarts
 * @param port     port of the embedded PostgreSQL on localhost; 0 picks a free one
 * @param database name of the database Warden creates in the embedded server
 * @param maxPoolSize connections in the pool
 * @param migrationUser     the schema owner Flyway migrates as, for an external database (defaults to {@code user})
 * @param migrationPassword its password
 * @param appRole  the role the application connects as in the embedded database; it may only read and
 *                 append to the audit trail
 * @param walArchive     a folder the embedded PostgreSQL archives its write-ahead log to (archive_mode on), for
 *                       point-in-time restore and the disaster-recovery drill; unset: no archiving
 * @param archiveTimeout with {@code walArchive}, the longest a committed transaction waits before its WAL segment
 *                       is archived: the bound on the data a restore from the archive can lose
 */
@ConfigurationProperties("warden.db")
public record DatabaseProperties(
        @Nullable String url,
        @Nullable String user,
        @Nullable String password,
        @DefaultValue("./.warden/pgdata") Path dataDir,
        @DefaultValue("0") int port,
        @DefaultValue("warden") String database,
        @DefaultValue("10") int maxPoolSize,
        @Nullable String migrationUser,
        @Nullable String migrationPassword,
        @DefaultValue("warden_app") String appRole,
        @Nullable Path walArchive,
        @DefaultValue("PT60S") Duration archiveTimeout) {

    public DatabaseProperties {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("warden.db.port must be between 0 and 65535, got " + port);
        }
        if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException(
                    "warden.db.database must be a plain lower-case identifier, got " + database);
        }
        if (!appRole.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException(
                    "warden.db.app-role must be a plain lower-case identifier, got " + appRole);
        }
        if (walArchive != null) {
            WalArchive.validate(walArchive);
        }
        if (archiveTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(
                    "warden.db.archive-timeout must be at least PT1S, got " + archiveTimeout);
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("warden.db.max-pool-size must be at least 1, got " + maxPoolSize);
        }
    }

    boolean external() {
        return url != null && !url.isBlank();
    }
}
