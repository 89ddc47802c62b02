package io.warden.policy.internal;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;

/**
 * A fresh database with the policy module's migrations on one embedded PostgreSQL per test JVM. Each
 * {@link #pool()} is a connection pool of its own, as each Warden instance has.
 */
final class PolicyDatabase {

    private static @Nullable EmbeddedPostgres server;

    final String url;

    PolicyDatabase() {
        String name = "policy_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = server().getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        url = server().getJdbcUrl("postgres", name);
        try (HikariDataSource migrations = pool()) {
            // the policy tables sit beside the registry's (its triggers watch them) and the audit trail's
            Flyway.configure()
                    .dataSource(migrations)
                    .locations(
                            "classpath:db/migration/audit",
                            "classpath:db/migration/registry",
                            "classpath:db/migration/policy")
                    .placeholders(Map.of("appRole", "postgres"))
                    .load()
                    .migrate();
        }
    }

    HikariDataSource pool() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        pool.setUsername("postgres");
        pool.setMaximumPoolSize(6);
        return pool;
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
}
