package io.warden.app.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * The {@link DataSource}: the external PostgreSQL named by {@code warden.db.url}, or else an embedded
 * PostgreSQL whose data lives in {@code warden.db.data-dir} and which stops when the context closes.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

    @Bean
    WardenDatabase wardenDatabase(DatabaseProperties properties) {
        if (properties.external()) {
            log.info("Using the external PostgreSQL at {}", redact(properties.url()));
            String migrationUser = properties.migrationUser() != null ? properties.migrationUser() : properties.user();
            String migrationPassword =
                    properties.migrationUser() != null ? properties.migrationPassword() : properties.password();
            return new WardenDatabase(
                    null,
                    null,
                    Objects.requireNonNull(properties.url()),
                    properties.user(),
                    properties.password(),
                    migrationUser,
                    migrationPassword);
        }
        // Claimed before the start, so that a second Warden on the folder is refused by name, and a server
        // a killed Warden left running is stopped rather than blocking the start.
        Path dataDir = properties.dataDir().toAbsolutePath().normalize();
        DataFolderOwner owner = DataFolderOwner.claim(dataDir);
        EmbeddedPostgres postgres;
        EmbeddedAuthentication authentication;
        try {
            authentication = EmbeddedAuthentication.prepare(dataDir);
            postgres = startEmbedded(properties, dataDir, authentication);
        } catch (RuntimeException e) {
            owner.close();
            throw e;
        }
        try {
            authentication.secure(postgres, properties.database(), properties.appRole());
        } catch (RuntimeException e) {
            closeQuietly(postgres);
            owner.close();
            throw e;
        }
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + properties.database();
        log.info("Started the embedded PostgreSQL on port {} with its data in {}", postgres.getPort(), dataDir);
        EmbeddedPasswords passwords = authentication.passwords();
        return new WardenDatabase(
                postgres, owner, url, properties.appRole(), passwords.application(), "postgres", passwords.superuser());
    }

    /** The application's pool, as the application role. */
    @Bean
    @Primary
    DataSource dataSource(WardenDatabase database, DatabaseProperties properties) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.url());
        if (database.user() != null) {
            config.setUsername(database.user());
        }
        if (database.password() != null) {
            config.setPassword(database.password());
        }
        config.setPoolName("warden");
        config.setMaximumPoolSize(properties.maxPoolSize());
        // the audit log's group commit sends one multi-row INSERT per batch
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(config);
    }

    /** Flyway migrates as the schema owner, without a pool. */
    @Bean
    @FlywayDataSource
    DataSource flywayDataSource(WardenDatabase database) {
        SimpleDriverDataSource owner = new SimpleDriverDataSource(new Driver(), database.url());
        owner.setUsername(database.migrationUser()); // unset: the driver's own default, as for the pool
        owner.setPassword(database.migrationPassword());
        return owner;
    }

    /** Tells the migrations which role to grant the application's privileges to. */
    @Bean
    FlywayConfigurationCustomizer wardenMigrationPlaceholders(WardenDatabase database) {
        return configuration ->
                configuration.placeholders(Map.of("appRole", database.user() == null ? "" : database.user()));
    }

    private static EmbeddedPostgres startEmbedded(
            DatabaseProperties properties, Path dataDir, EmbeddedAuthentication authentication) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(properties.port())
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    // The embedded server's defaults trade durability for test speed; Warden's data
                    // (the audit trail above all) must survive a crash, so both are turned back on.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "100")
                    // Stopped by the context, after the connection pool has closed, not by a racing JVM hook.
                    .setRegisterShutdownHook(false);
            Path walArchive = properties.walArchive();
            if (walArchive != null) {
                Path archive = walArchive.toAbsolutePath().normalize();
                Files.createDirectories(archive);
                WalArchive.archiveTo(builder, archive, properties.archiveTimeout());
                log.info(
                        "The embedded PostgreSQL archives its WAL to {} (at least every {})",
                        archive,
                        properties.archiveTimeout());
            }
            return authentication.configure(builder).start();
        } catch (IOException e) {
            // the server may be running, only Warden could not log in: leave no process behind
            DataFolderOwner.stopAfterFailedStart(dataDir);
            if (refusedPassword(e)) {
                throw new IllegalStateException(
                        "The embedded PostgreSQL in " + dataDir + " refused the password in "
                                + EmbeddedPasswords.fileIn(dataDir)
                                + "; that file does not belong to this folder. Restore the "
                                + "folder's own file from a backup of the folder",
                        e);
            }
            throw new UncheckedIOException(
                    "Could not start the embedded PostgreSQL with data in " + dataDir
                            + " (set warden.db.data-dir or WARDEN_DB_URL to use another database)",
                    e);
        } catch (RuntimeException e) {
            DataFolderOwner.stopAfterFailedStart(dataDir);
            throw e;
        } finally {
            authentication.cleanUp();
        }
    }

    /** Whether the start failed because the server refused the superuser's password (SQLSTATE 28P01). */
    private static boolean refusedPassword(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && "28P01".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("Could not stop the embedded PostgreSQL", e);
        }
    }

    private static String redact(@Nullable String url) {
        return String.valueOf(url).replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /**
     * The database Warden connects to, and the embedded server behind it when there is one. Its
     * {@link #toString()} leaves the passwords out.
     */
    record WardenDatabase(
            @Nullable EmbeddedPostgres embedded,
            @Nullable DataFolderOwner owner,
            String url,
            @Nullable String user,
            @Nullable String password,
            @Nullable String migrationUser,
            @Nullable String migrationPassword)
            implements DisposableBean {

        @Override
        public String toString() {
            return "WardenDatabase[url=" + redact(url) + ", user=" + user + ", migrationUser=" + migrationUser + "]";
        }

        @Override
        public void destroy() throws IOException {
            try {
                if (embedded != null) {
                    log.info("Stopping the embedded PostgreSQL");
                    embedded.close();
                }
            } finally {
                // only once the server is down may another Warden take the folder
                if (owner != null) {
                    owner.close();
                }
            }
        }
    }
}
