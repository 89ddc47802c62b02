package io.warden.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.warden.audit.internal.AuditProperties;
import io.warden.audit.internal.PostgresAuditLog;
import io.warden.audit.internal.SigningKeys;
import io.warden.policy.KillSwitch;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.internal.PostgresKillSwitches;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.JdkIdGenerator;

/**
 * Kill-switch propagation between two instances on one PostgreSQL: each instance is the production
 * {@link PostgresKillSwitches} with its own connection pool, listening connection and audit log. Instance A
 * engages a switch; the figure is the time from {@code engage} returning on A to B's in-memory view
 * covering the agent, over {@code --trials} trials (reconciliation is set to 60 s, so only notifications
 * count). Prints {@code killswitch_p50_ms}, {@code killswitch_p99_ms}, {@code killswitch_max_ms}.
 */
public final class KillSwitchPropagationBench {

    public static void main(String[] args) throws Exception {
        int trials = args.length > 1 && args[0].equals("--trials") ? Integer.parseInt(args[1]) : 100;
        Path data = Files.createTempDirectory("warden-killswitch-bench");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(data.resolve("pgdata"))
                .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start()) {
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("create database bench");
            }
            String url = postgres.getJdbcUrl("postgres", "bench");
            try (HikariDataSource a = pool(url); HikariDataSource b = pool(url)) {
                Flyway.configure().dataSource(a).locations("classpath:db/migration/audit", "classpath:db/migration/policy")
                        .placeholders(Map.of("appRole", "postgres")).load().migrate();
                SigningKeys.SigningKey key = SigningKeys.generatedIn(data.resolve("keys"));
                PostgresKillSwitches instanceA = instance(a, key, data);
                PostgresKillSwitches instanceB = instance(b, key, data);
                List<Double> millis = new ArrayList<>();
                for (int trial = 0; trial < trials + 10; trial++) {
                    String agent = "agent-" + trial;
                    KillSwitch engaged = instanceA.engage(KillSwitchScope.AGENT, agent, "propagation trial", "bench");
                    long returned = System.nanoTime();
                    while (!instanceB.covers(agent, "tool", "dataset").agent()) {
                        Thread.onSpinWait();
                    }
                    double elapsed = (System.nanoTime() - returned) / 1e6;
                    if (trial >= 10) { // the first ten warm up connections and code
                        millis.add(elapsed);
                    }
                    instanceA.release(engaged.id(), "trial over", "bench");
                    while (instanceB.covers(agent, "tool", "dataset").agent()) {
                        Thread.onSpinWait();
                    }
                }
                instanceA.stop();
                instanceB.stop();
                List<Double> sorted = millis.stream().sorted().toList();
                System.out.printf("{\"trials\": %d, \"killswitch_p50_ms\": %.2f, \"killswitch_p99_ms\": %.2f, \"killswitch_max_ms\": %.2f}%n",
                        sorted.size(), sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1),
                        sorted.getLast());
            }
        }
    }

    private static HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }

    private static PostgresKillSwitches instance(HikariDataSource pool, SigningKeys.SigningKey key, Path data) {
        var properties = new AuditProperties(1000, Duration.ofSeconds(60), 100, 10_000, Duration.ofSeconds(10), null, null, null,
                data.resolve("keys"), List.of());
        PostgresAuditLog audit = new PostgresAuditLog(pool, Clock.systemUTC(), key, Map.of(), properties);
        audit.start();
        PostgresKillSwitches switches = new PostgresKillSwitches(pool, JdbcClient.create(pool),
                new TransactionTemplate(new DataSourceTransactionManager(pool)), audit, event -> { }, Clock.systemUTC(),
                new JdkIdGenerator(), Duration.ofSeconds(60));
        switches.start();
        return switches;
    }
}
