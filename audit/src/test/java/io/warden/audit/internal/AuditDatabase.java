package io.warden.audit.internal;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh, migrated PostgreSQL database per test on one embedded server per test JVM, and a superuser
 * connection that can bypass the append-only triggers the way an attacker with database access would.
 */
final class AuditDatabase {

    private static @Nullable EmbeddedPostgres server;

    final String name = "audit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final DataSource dataSource;

    AuditDatabase() {
        this("postgres");
    }

    /** A database whose migrations grant the application's privileges to {@code appRole} (created if missing). */
    AuditDatabase(String appRole) {
        try (Connection connection = server().getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("create database " + name);
            if (!appRole.equals("postgres")) {
                statement.execute("do $$ begin if not exists (select 1 from pg_roles where rolname = '" + appRole
                        + "') then create role " + appRole + " login; end if; end $$");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(server().getJdbcUrl("postgres", name));
        source.setReWriteBatchedInserts(true);
        this.dataSource = source;
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/audit")
                .placeholders(Map.of("appRole", appRole))
                .load()
                .migrate();
    }

    static synchronized EmbeddedPostgres server() {
        if (server == null) {
            EmbeddedPostgres started;
            try {
                started = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = started;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is ending
                }
            }));
        }
        return server;
    }

    /** Runs SQL as a superuser with triggers off: what someone with direct database access can do. */
    void tamper(String... sql) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("set session_replication_role = replica");
            for (String each : sql) {
                statement.execute(each);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A connection as {@code role}, as the application would hold one. */
    Connection connectAs(String role) throws SQLException {
        return DriverManager.getConnection(server().getJdbcUrl(role, name));
    }

    void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
