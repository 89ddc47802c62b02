package io.warden.lifecycle.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.audit.AuditEvent;
import io.warden.bpmn.BpmnProcesses;
import io.warden.bpmn.BpmnProcesses.Messages;
import io.warden.bpmn.BpmnProcesses.TaskTypes;
import io.warden.lifecycle.JobResult;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.operaton.bpm.engine.impl.util.ClockUtil;

/**
 * The embedded engine adapter on a real PostgreSQL with the real process files: deployment, the job
 * result mapping (complete, BPMN error, retried failure), idempotent starts, kept messages and timers.
 * Handlers here only record what they were asked; the real ones are tested through the app.
 */
class EmbeddedWorkflowEngineTests {

    static EmbeddedPostgres postgres;
    static EmbeddedWorkflowEngine engine;
    static final RecordingAuditLog recording = new RecordingAuditLog();
    static final List<AuditEvent> audited = recording.events;
    /** task type → agent ids it ran for, in order */
    static final Map<String, List<String>> ran = new ConcurrentHashMap<>();

    static final Map<String, String> verifyOwnerAnswer = new ConcurrentHashMap<>();
    static final AtomicInteger flakyCalls = new AtomicInteger();
    /** the cohort build's two branches: each waits here for the other, which only works if they run at once */
    static final CountDownLatch branches = new CountDownLatch(2);

    static final Map<String, Boolean> metTheOtherBranch = new ConcurrentHashMap<>();

    @BeforeAll
    static void engine() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Flyway.configure()
                .dataSource(postgres.getPostgresDatabase())
                .locations("classpath:db/migration/lifecycle")
                .load()
                .migrate();
        RecordingAuditLog audit = recording;
        engine = new EmbeddedWorkflowEngine(
                postgres.getPostgresDatabase(),
                new JobDispatcher(audit, Duration.ofMillis(100)),
                Clock.systemUTC(),
                Duration.ofMillis(100),
                Duration.ofMinutes(1),
                Duration.ofHours(1),
                3);
        engine.start();
        engine.deploy(BpmnProcesses.ALL.stream().map(BpmnProcesses::resource).toList());
        for (String type : TaskTypes.ALL) {
            engine.register(type, job -> {
                ran.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>()).add(job.agentId());
                if (type.equals(TaskTypes.VERIFY_OWNER) && "invalid".equals(verifyOwnerAnswer.get(job.agentId()))) {
                    return new JobResult.BpmnError(BpmnProcesses.Errors.OWNER_INVALID, "the owner left");
                }
                if ((type.equals(TaskTypes.COHORT_DESCRIBE) || type.equals(TaskTypes.COHORT_PROJECT))
                        && job.agentId().startsWith("parallel")) {
                    branches.countDown();
                    try {
                        metTheOtherBranch.put(type, branches.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (type.equals(TaskTypes.COHORT_CLASSIFY) && job.agentId().startsWith("stopped")) {
                    return new JobResult.BpmnError(
                            BpmnProcesses.Errors.COHORT_STOPPED, "a kill switch covers the builder");
                }
                if (type.equals(TaskTypes.NOTIFY_OWNER)
                        && job.agentId().startsWith("flaky")
                        && flakyCalls.incrementAndGet() == 1) {
                    throw new IllegalStateException("the mail relay is down");
                }
                return JobResult.complete(Map.of("handled" + type.replace("-", ""), true));
            });
        }
    }

    @AfterAll
    static void stop() throws Exception {
        engine.stop();
        postgres.close();
    }

    static boolean ranFor(String type, String agentId) {
        return ran.getOrDefault(type, List.of()).contains(agentId);
    }

    @Test
    void everyProcessIsDeployedOnceEvenWhenDeployedAgain() {
        engine.deploy(BpmnProcesses.ALL.stream().map(BpmnProcesses::resource).toList());
        var definitions = engine.engine()
                .getRepositoryService()
                .createProcessDefinitionQuery()
                .latestVersion()
                .list();
        assertThat(definitions).extracting(d -> d.getKey()).containsExactlyInAnyOrderElementsOf(BpmnProcesses.ALL);
        assertThat(definitions).allSatisfy(d -> assertThat(d.getVersion()).isEqualTo(1));
    }

    @Test
    void anAuditRemovalRunsItsRemovalOnlyAfterTheSecondPersonApproves() throws InterruptedException {
        String key = "audit-removal:" + UUID.randomUUID();
        assertThat(engine.start(BpmnProcesses.AUDIT_REMOVAL, key, Map.of("archiveId", key.substring(14))))
                .isTrue();
        Thread.sleep(1000);
        assertThat(ranFor(TaskTypes.AUDIT_REMOVE, key))
                .as("nothing is removed before the approval")
                .isFalse();
        assertThat(engine.running(BpmnProcesses.AUDIT_REMOVAL, key)).isTrue();
        engine.correlate(Messages.AUDIT_REMOVAL_APPROVED, key, Map.of("approvedBy", "carla"));
        await().atMost(Duration.ofSeconds(30)).until(() -> ranFor(TaskTypes.AUDIT_REMOVE, key));
        await().atMost(Duration.ofSeconds(5)).until(() -> !engine.running(BpmnProcesses.AUDIT_REMOVAL, key));
    }

    @Test
    void onboardingRunsToActivationOnceApprovedAndASecondStartIsANoOp() {
        String agent = "agent-" + UUID.randomUUID();
        assertThat(engine.start(BpmnProcesses.ONBOARDING, agent, Map.of())).isTrue();
        assertThat(engine.start(BpmnProcesses.ONBOARDING, agent, Map.of()))
                .as("one instance per agent")
                .isFalse();
        await().atMost(Duration.ofSeconds(30)).until(() -> ranFor(TaskTypes.CLASSIFY_RISK, agent));
        assertThat(ranFor(TaskTypes.PROVISION_IDENTITY, agent))
                .as("waits for the decision")
                .isFalse();

        engine.correlate(Messages.AGENT_APPROVED, agent, Map.of("approvedBy", "carla"));
        await().atMost(Duration.ofSeconds(30)).until(() -> ranFor(TaskTypes.ACTIVATE_AGENT, agent));
        await().atMost(Duration.ofSeconds(5)).until(() -> !engine.running(BpmnProcesses.ONBOARDING, agent));
        assertThat(ran.get(TaskTypes.VERIFY_OWNER)).containsOnlyOnce(agent);
        assertThat(audited).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("workflow.task");
            assertThat(e.agentId()).isEqualTo(agent);
            assertThat(e.details()).containsEntry("task", TaskTypes.ACTIVATE_AGENT);
        });
    }

    @Test
    void batchStartsSkipAgentsWithARunningInstanceAndConcurrentBatchesStartEachOnce() throws Exception {
        // the incident process has no timer: hundreds of instances must not crowd the timer test's job executor
        String prefix = "batch-" + UUID.randomUUID() + "-";
        List<String> agents = IntStream.range(0, 450).mapToObj(i -> prefix + i).toList();
        engine.start(BpmnProcesses.INCIDENT, agents.get(7), Map.of());
        var pool = Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> engine.startAll(BpmnProcesses.INCIDENT, agents, Map.of("rule", "test")));
            var second = pool.submit(
                    () -> engine.startAll(BpmnProcesses.INCIDENT, agents.reversed(), Map.of("rule", "test")));
            assertThat(first.get() + second.get())
                    .as("each agent once, the one running already skipped")
                    .isEqualTo(449);
        } finally {
            pool.shutdown();
        }
        assertThat(engine.engine()
                        .getRuntimeService()
                        .createProcessInstanceQuery()
                        .processDefinitionKey(BpmnProcesses.INCIDENT)
                        .processInstanceBusinessKeyLike(prefix + "%")
                        .count())
                .isEqualTo(450);
        assertThat(engine.startAll(BpmnProcesses.INCIDENT, agents, Map.of())).isZero();
        assertThat(audited)
                .filteredOn(e -> e.action().equals("workflow.started")
                        && e.agentId() != null
                        && e.agentId().startsWith(prefix))
                .hasSize(450);
    }

    @Test
    void aDecisionThatArrivesBeforeTheProcessWaitsIsKeptAndDelivered() {
        String agent = "early-" + UUID.randomUUID();
        engine.correlate(Messages.AGENT_APPROVED, agent, Map.of());
        engine.start(BpmnProcesses.ONBOARDING, agent, Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> ranFor(TaskTypes.ACTIVATE_AGENT, agent));
        assertThat(count("select count(*) from workflow_message where agent_id = '" + agent + "'"))
                .isZero();
    }

    @Test
    void aBpmnErrorTakesTheModelledPath() {
        String agent = "orphan-" + UUID.randomUUID();
        verifyOwnerAnswer.put(agent, "invalid");
        engine.start(BpmnProcesses.ONBOARDING, agent, Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> ranFor(TaskTypes.REJECT_REGISTRATION, agent));
        assertThat(ranFor(TaskTypes.CLASSIFY_RISK, agent)).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> !engine.running(BpmnProcesses.ONBOARDING, agent));
    }

    @Test
    void aFailedJobIsRetriedAfterItsBackoff() {
        String agent = "flaky-" + UUID.randomUUID();
        engine.start(BpmnProcesses.RETIREMENT, agent, Map.of());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ran.getOrDefault(TaskTypes.NOTIFY_OWNER, List.of()).stream()
                                .filter(agent::equals)
                                .count()
                        == 2);
        assertThat(audited).anySatisfy(e -> {
            assertThat(e.agentId()).isEqualTo(agent);
            assertThat(e.details()).containsEntry("result", "failed").containsEntry("retriesLeft", "2");
        });
        engine.correlate(Messages.AGENT_KEPT, agent, Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> ranFor(TaskTypes.KEEP_AGENT, agent));
    }

    @Test
    void theCohortBuildsBranchesRunAtOnceAndPublishOnlyAfterBoth() {
        String builder = "parallel-" + UUID.randomUUID();
        engine.start(BpmnProcesses.COHORT_INDEX_BUILD, builder, Map.of("runId", "run-1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> ranFor(TaskTypes.COHORT_PUBLISH, builder));
        assertThat(metTheOtherBranch)
                .containsEntry(TaskTypes.COHORT_DESCRIBE, true)
                .containsEntry(TaskTypes.COHORT_PROJECT, true);
        for (String step : List.of(
                TaskTypes.COHORT_EXTRACT, TaskTypes.COHORT_CLASSIFY, TaskTypes.COHORT_EMBED, TaskTypes.COHORT_INDEX)) {
            assertThat(ranFor(step, builder)).as(step).isTrue();
        }
        assertThat(ranFor(TaskTypes.COHORT_FAIL, builder)).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> !engine.running(BpmnProcesses.COHORT_INDEX_BUILD, builder));
    }

    @Test
    void aStoppedCohortBuildEndsThroughItsFailureStep() {
        String builder = "stopped-" + UUID.randomUUID();
        engine.start(BpmnProcesses.COHORT_INDEX_BUILD, builder, Map.of("runId", "run-2"));
        await().atMost(Duration.ofSeconds(30)).until(() -> ranFor(TaskTypes.COHORT_FAIL, builder));
        await().atMost(Duration.ofSeconds(5)).until(() -> !engine.running(BpmnProcesses.COHORT_INDEX_BUILD, builder));
        assertThat(ranFor(TaskTypes.COHORT_DESCRIBE, builder)).isFalse();
        assertThat(ranFor(TaskTypes.COHORT_PUBLISH, builder)).isFalse();
    }

    @Test
    void aTimerFiresWhenTheEnginesClockPassesIt() {
        String agent = "timer-" + UUID.randomUUID();
        engine.start(BpmnProcesses.ORPHANED, agent, Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> ranFor(TaskTypes.NOTIFY_MANAGER, agent));
        // the handler has run; wait until its task is completed and the instance waits on its timer, due by the real
        // clock
        await().atMost(Duration.ofSeconds(30))
                .until(() -> engine.engine()
                                .getManagementService()
                                .createJobQuery()
                                .timers()
                                .processInstanceId(engine.engine()
                                        .getRuntimeService()
                                        .createProcessInstanceQuery()
                                        .variableValueEquals(BpmnProcesses.CORRELATION_VARIABLE, agent)
                                        .singleResult()
                                        .getId())
                                .count()
                        == 1);
        try {
            ClockUtil.setCurrentTime(Date.from(Instant.now().plus(Duration.ofDays(15))));
            await().atMost(Duration.ofSeconds(20)).until(() -> ranFor(TaskTypes.SUSPEND_AGENT, agent));
        } finally {
            ClockUtil.reset();
        }
        assertThat(Set.copyOf(ran.getOrDefault(TaskTypes.SUSPEND_AGENT, List.of())))
                .contains(agent);
    }

    private static long count(String sql) {
        try (var connection = postgres.getPostgresDatabase().getConnection();
                var statement = connection.createStatement();
                var rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
