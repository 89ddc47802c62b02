package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditWriteFailed;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log's meters against real PostgreSQL: append latency covers the wait for the group commit,
 * the queue depth shows appends piling up behind a stalled writer, and refusals are counted.
 */
class AuditMetricsTests {

    static final int MAX_BATCH = 4;
    static final int CAPACITY = 40;

    @TempDir
    Path keys;

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AuditDatabase database;
    PostgresAuditLog log;

    @BeforeEach
    void start() {
        database = new AuditDatabase();
        var properties = new AuditProperties(
                1000,
                Duration.ofHours(1),
                MAX_BATCH,
                CAPACITY,
                Duration.ofSeconds(10),
                null,
                null,
                null,
                Path.of("unused"),
                List.of());
        log = new PostgresAuditLog(
                database.dataSource, Clock.systemUTC(), SigningKeys.generatedIn(keys), properties, meters);
        log.start();
    }

    @AfterEach
    void stop() {
        log.stop();
    }

    @Test
    void everyCommittedAppendIsTimed() {
        for (int i = 0; i < 10; i++) {
            log.append(PostgresAuditLogTests.event(i));
        }
        var latency = meters.get("warden.audit.append").timer();
        assertThat(latency.count()).isEqualTo(10);
        assertThat(latency.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(meters.get("warden.audit.queue.depth").gauge().value()).isZero();
        assertThat(meters.get("warden.audit.queue.capacity").gauge().value()).isEqualTo(CAPACITY);
    }

    @Test
    void appendsWaitingBehindAStalledCommitShowInTheQueueDepthAndTheirLatency() throws Exception {
        log.append(PostgresAuditLogTests.event(0));
        List<CompletableFuture<AuditRecord>> queued = new ArrayList<>();
        try (Connection blocker = database.dataSource.getConnection();
                Statement statement = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            statement.execute("select * from audit_head where id = 1 for update"); // the writer waits for this lock
            for (int i = 1; i <= 20; i++) {
                queued.add(log.appendQueued(PostgresAuditLogTests.event(i)));
            }
            // the writer took the first batch (1 to MAX_BATCH events, as they happened to arrive) and waits for the
            // lock
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(depth()).isBetween(20.0 - MAX_BATCH, 19.0));
            double stalled = depth();
            Thread.sleep(300);
            assertThat(depth()).as("nothing moves while the head is locked").isEqualTo(stalled);

            for (int i = 0; i < CAPACITY - stalled; i++) {
                queued.add(log.appendQueued(PostgresAuditLogTests.event(100 + i)));
            }
            assertThat(depth()).isEqualTo(CAPACITY);
            assertThatThrownBy(() -> log.appendQueued(PostgresAuditLogTests.event(999)))
                    .isInstanceOf(AuditWriteFailed.class)
                    .hasMessageContaining("overloaded");
            blocker.rollback();
        }
        CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(depth()).isZero();
        var latency = meters.get("warden.audit.append").timer();
        assertThat(latency.count()).isEqualTo(1 + queued.size());
        assertThat(latency.max(TimeUnit.MILLISECONDS))
                .as("the appends waited for the lock")
                .isGreaterThanOrEqualTo(300);
        assertThat(meters.get("warden.audit.append.failed")
                        .tag("reason", "overloaded")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get("warden.audit.append.failed")
                        .tag("reason", "write-failed")
                        .counter()
                        .count())
                .isZero();
    }

    private double depth() {
        return meters.get("warden.audit.queue.depth").gauge().value();
    }
}
