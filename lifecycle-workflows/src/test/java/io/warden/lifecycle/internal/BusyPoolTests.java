package io.warden.lifecycle.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.warden.bpmn.BpmnProcesses;
import io.warden.bpmn.BpmnProcesses.TaskTypes;
import io.warden.lifecycle.JobResult;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Two engines on one database, each on a small connection pool, as replicas run under load: many
 * processes started and driven through their tasks at once all run to their end. Every thread that holds
 * a connection must be able to finish without a second one, or the pool deadlocks and calls fail after the
 * pool's timeout; and the two engines must not contend for a shared id row.
 */
class BusyPoolTests {

    @Test
    void manyProcessesOnTwoEnginesWithSmallPoolsAllRunToTheirEnd() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                HikariDataSource poolA = pool(postgres);
                HikariDataSource poolB = pool(postgres)) {
            Flyway.configure()
                    .dataSource(postgres.getPostgresDatabase())
                    .locations("classpath:db/migration/lifecycle")
                    .load()
                    .migrate();
            Map<String, AtomicInteger> published = new ConcurrentHashMap<>();
            EmbeddedWorkflowEngine a = engine(poolA, published);
            EmbeddedWorkflowEngine b = engine(poolB, published);
            a.start();
            b.start();
            try {
                a.deploy(BpmnProcesses.ALL.stream().map(BpmnProcesses::resource).toList());
                b.deploy(BpmnProcesses.ALL.stream().map(BpmnProcesses::resource).toList());
                List<String> builders =
                        IntStream.range(0, 60).mapToObj(i -> "builder-" + i).toList();
                List<Future<Boolean>> starts = new ArrayList<>();
                try (ExecutorService callers = Executors.newFixedThreadPool(8)) {
                    for (int i = 0; i < builders.size(); i++) {
                        EmbeddedWorkflowEngine engine = i % 2 == 0 ? a : b;
                        String builder = builders.get(i);
                        starts.add(callers.submit(() ->
                                engine.start(BpmnProcesses.COHORT_INDEX_BUILD, builder, Map.of("runId", builder))));
                    }
                    for (Future<Boolean> start : starts) {
                        assertThat(start.get()).isTrue();
                    }
                }
                await().atMost(Duration.ofSeconds(90)).until(() -> published.size() == builders.size());
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> builders.stream()
                                .noneMatch(builder -> a.running(BpmnProcesses.COHORT_INDEX_BUILD, builder)));
                assertThat(published.values())
                        .as("each build published once")
                        .allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            } finally {
                a.stop();
                b.stop();
            }
        }
    }

    private static HikariDataSource pool(EmbeddedPostgres postgres) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        config.setMaximumPoolSize(3);
        config.setConnectionTimeout(5_000); // a deadlocked pool shows as failed calls within the test's time
        return new HikariDataSource(config);
    }

    private static EmbeddedWorkflowEngine engine(HikariDataSource pool, Map<String, AtomicInteger> published) {
        EmbeddedWorkflowEngine engine = new EmbeddedWorkflowEngine(
                pool,
                new JobDispatcher(new RecordingAuditLog(), Duration.ofMillis(100)),
                Clock.systemUTC(),
                Duration.ofMillis(50),
                Duration.ofMinutes(5),
                Duration.ofHours(1),
                3);
        for (String type : TaskTypes.ALL) {
            engine.register(type, job -> {
                if (type.equals(TaskTypes.COHORT_PUBLISH)) {
                    published
                            .computeIfAbsent(job.agentId(), id -> new AtomicInteger())
                            .incrementAndGet();
                }
                return JobResult.complete(Map.of());
            });
        }
        return engine;
    }
}
