package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Policy changes are numbered in commit order (V14_01): a change that commits later never has a smaller number,
 * so an instance that applied number n has seen every change numbered up to n. With a sequence, a suspension
 * numbered 10 that commits after a tool change numbered 11 would never be applied by an instance that had
 * already applied 11.
 */
class PolicyChangeOrderTests {

    final PolicyDatabase database = new PolicyDatabase();
    final HikariDataSource pool = database.pool();
    final JdbcClient jdbc = JdbcClient.create(pool);

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void aChangeThatCommitsLaterGetsTheLargerNumberAndAnInstanceThatAppliedItHasTheEarlierOne() throws Exception {
        jdbc.sql("""
                insert into data_scope (key, display_name, sensitivity, phi, deidentified, allowed_purposes, created_at, updated_at, version)
                values ('scope-a', 'A', 'INTERNAL', false, true, '{TREAT}', now(), now(), 1)""").update();
        jdbc.sql("""
                insert into tool (key, display_name, backend, required_scopes, max_k, sensitivity, created_at, updated_at, version)
                values ('tool-b', 'B', 'retrieval', '{}', 10, 'INTERNAL', now(), now(), 1)""").update();
        long before = jdbc.sql("select n from policy_version").query(Long.class).single();

        try (Connection first = pool.getConnection();
                Connection second = pool.getConnection()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            try (Statement statement = first.createStatement()) {
                statement.executeUpdate(
                        "update data_scope set phi = false, sensitivity = 'CONFIDENTIAL' where key = 'scope-a'");
            }
            // the second change starts after the first took its number, and must not commit ahead of it with a larger
            // one
            CompletableFuture<Void> later = CompletableFuture.runAsync(() -> {
                try (Statement statement = second.createStatement()) {
                    statement.executeUpdate("update tool set max_k = 5 where key = 'tool-b'");
                    second.commit();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertThat(later)
                    .as("waits for the first change's number to be committed")
                    .isNotDone();
            first.commit();
            later.get(5, TimeUnit.SECONDS);
        }

        List<String> changes = jdbc.sql("select kind from policy_change where seq > :before order by seq")
                .param("before", before)
                .query((rows, row) -> rows.getString("kind"))
                .list();
        assertThat(changes).containsExactly("data_scope", "tool");

        PolicyCache cache = new PolicyCache(Duration.ofMinutes(1));
        cache.tool("tool-b", () -> Optional.of("stale"));
        var instances = new GatewayInstances(jdbc, Clock.systemUTC(), "instance-a", Duration.ofMillis(100));
        var changesFeed = new PolicyChanges(
                jdbc, cache, instances, new PostgresNotifications(pool), Duration.ofSeconds(60), p -> {});
        assertThat(changesFeed.apply()).isEqualTo(before + 2);
        assertThat(cache.tool("tool-b", () -> Optional.of("fresh"))).contains("fresh");
        assertThat(jdbc.sql("select applied_change from gateway_instance where name = 'instance-a'")
                        .query(Long.class)
                        .single())
                .isEqualTo(before + 2);
    }
}
