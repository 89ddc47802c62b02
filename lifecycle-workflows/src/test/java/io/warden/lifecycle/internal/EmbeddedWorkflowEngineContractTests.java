package io.warden.lifecycle.internal;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

import io.warden.lifecycle.WorkflowEngine;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.operaton.bpm.engine.history.HistoricProcessInstance;
import org.operaton.bpm.engine.impl.util.ClockUtil;

/** The embedded engine passes the contract on a real PostgreSQL; its clock is Operaton's, moved by an offset. */
class EmbeddedWorkflowEngineContractTests extends WorkflowEngineContract {

    /** What {@link #startEngine} started for the current test. */
    private record Started(EmbeddedPostgres postgres, EmbeddedWorkflowEngine embedded) {}

    private @Nullable Started started;

    private EmbeddedWorkflowEngine embedded() {
        return requireNonNull(started, "the contract starts the engine before each test")
                .embedded();
    }

    private Duration passed = Duration.ZERO;

    @Override
    WorkflowEngine startEngine(JobDispatcher dispatcher) throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        Flyway.configure()
                .dataSource(postgres.getPostgresDatabase())
                .locations("classpath:db/migration/lifecycle")
                .load()
                .migrate();
        EmbeddedWorkflowEngine embedded = new EmbeddedWorkflowEngine(
                postgres.getPostgresDatabase(),
                dispatcher,
                Clock.systemUTC(),
                Duration.ofMillis(100),
                Duration.ofMinutes(1),
                Duration.ofHours(1),
                3);
        started = new Started(postgres, embedded);
        embedded.start();
        return embedded;
    }

    @Override
    void stopEngine() throws Exception {
        ClockUtil.reset();
        Started engine = requireNonNull(started, "the contract starts the engine before each test");
        engine.embedded().stop();
        engine.postgres().close();
    }

    @Override
    void passTime(Duration duration) {
        passed = passed.plus(duration);
        ClockUtil.offset(passed.toMillis()); // the clock keeps running, so lock expiry and back-offs still pass
    }

    @Override
    void awaitTimer(String processId, String agentId) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> embedded()
                        .engine()
                        .getManagementService()
                        .createJobQuery()
                        .timers()
                        .processDefinitionKey(processId)
                        .list()
                        .stream()
                        .anyMatch(job -> agentId.equals(embedded()
                                .engine()
                                .getRuntimeService()
                                .createProcessInstanceQuery()
                                .processInstanceId(job.getProcessInstanceId())
                                .singleResult()
                                .getBusinessKey())));
    }

    @Override
    Optional<String> endEvent(String processId, String agentId) {
        return embedded()
                .engine()
                .getHistoryService()
                .createHistoricProcessInstanceQuery()
                .processDefinitionKey(processId)
                .processInstanceBusinessKey(agentId)
                .finished()
                .list()
                .stream()
                .map(HistoricProcessInstance::getEndActivityId)
                .findFirst();
    }
}
