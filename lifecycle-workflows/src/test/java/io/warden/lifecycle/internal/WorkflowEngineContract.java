package io.warden.lifecycle.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.bpmn.BpmnProcesses;
import io.warden.bpmn.BpmnProcesses.Messages;
import io.warden.bpmn.BpmnProcesses.TaskTypes;
import io.warden.lifecycle.Job;
import io.warden.lifecycle.JobResult;
import io.warden.lifecycle.WorkflowEngine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link WorkflowEngine} must do with Warden's process files, whichever engine runs them: deploy,
 * start an instance with its variables and the agent, start once per agent, hand each job to its handler
 * with the instance's variables and carry the handler's variables on, take the modelled path on a BPMN
 * error, retry a failed job, deliver a message correlated by the agent (also one published before the
 * instance waits for it), fire a timer once the engine's clock passes it, and end the instance. Each
 * adapter's test extends this and says how to start it, move its clock and see how an instance ended.
 * Handlers here record what they were given; Warden's real handlers run in the process tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WorkflowEngineContract {

    protected final RecordingAuditLog audit = new RecordingAuditLog();
    /** task type → the jobs it was given, in order */
    private final Map<String, List<Job>> jobs = new ConcurrentHashMap<>();

    private final Map<String, Integer> failuresLeft = new ConcurrentHashMap<>();
    private WorkflowEngine engine;

    /** Starts the engine under test, its jobs run through {@code dispatcher}. */
    abstract WorkflowEngine startEngine(JobDispatcher dispatcher) throws Exception;

    abstract void stopEngine() throws Exception;

    /** Moves the engine's clock on by {@code duration}; timers due by then fire. */
    abstract void passTime(Duration duration);

    /** Waits until the agent's instance of {@code processId} waits on a timer, so that moving the clock fires it. */
    abstract void awaitTimer(String processId, String agentId);

    /** The end event the agent's instance of {@code processId} ended at; empty while it runs (or never ran). */
    abstract Optional<String> endEvent(String processId, String agentId);

    @BeforeAll
    void startTheEngine() throws Exception {
        engine = startEngine(new JobDispatcher(audit, Duration.ofMillis(100)));
        engine.deploy(BpmnProcesses.ALL.stream().map(BpmnProcesses::resource).toList());
        for (String type : TaskTypes.ALL) {
            engine.register(type, job -> {
                jobs.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>()).add(job);
                if (type.equals(TaskTypes.VERIFY_OWNER) && job.agentId().startsWith("orphan-")) {
                    return new JobResult.BpmnError(BpmnProcesses.Errors.OWNER_INVALID, "the owner left");
                }
                if (failuresLeft.computeIfPresent(type + "/" + job.agentId(), (key, left) -> left - 1)
                                instanceof Integer left
                        && left >= 0) {
                    throw new IllegalStateException("the mail relay is down");
                }
                return JobResult.complete(Map.of("handled" + type.replace("-", ""), true));
            });
        }
    }

    @AfterAll
    void stopTheEngine() throws Exception {
        stopEngine();
    }

    WorkflowEngine engine() {
        return engine;
    }

    private List<Job> jobsFor(String type, String agentId) {
        return jobs.getOrDefault(type, List.of()).stream()
                .filter(job -> job.agentId().equals(agentId))
                .toList();
    }

    private void awaitJob(String type, String agentId) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !jobsFor(type, agentId).isEmpty());
    }

    private void awaitEnd(String processId, String agentId, String endEvent) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> endEvent(processId, agentId).isPresent());
        assertThat(endEvent(processId, agentId)).contains(endEvent);
    }

    private static String agent(String prefix) {
        return prefix + UUID.randomUUID();
    }

    @Test
    void aStartedInstanceHandsItsVariablesAndItsAgentToItsJobs() {
        String agent = agent("agent-");
        assertThat(engine.start(BpmnProcesses.ONBOARDING, agent, Map.of("approvalId", "ap-1")))
                .isTrue();
        awaitJob(TaskTypes.VERIFY_OWNER, agent);
        Job job = jobsFor(TaskTypes.VERIFY_OWNER, agent).getFirst();
        assertThat(job.processId()).isEqualTo(BpmnProcesses.ONBOARDING);
        assertThat(job.taskType()).isEqualTo(TaskTypes.VERIFY_OWNER);
        assertThat(job.variables())
                .containsEntry("approvalId", "ap-1")
                .containsEntry(BpmnProcesses.CORRELATION_VARIABLE, agent);
        assertThat(job.retries()).as("the model's retries").isEqualTo(3);
        assertThat(audit.events).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("workflow.started");
            assertThat(e.agentId()).isEqualTo(agent);
        });
    }

    @Test
    void aSecondStartForAnAgentWithARunningInstanceStartsNothing() {
        String agent = agent("agent-");
        assertThat(engine.start(BpmnProcesses.INCIDENT, agent, Map.of())).isTrue();
        assertThat(engine.running(BpmnProcesses.INCIDENT, agent)).isTrue();
        assertThat(engine.start(BpmnProcesses.INCIDENT, agent, Map.of())).isFalse();
        assertThat(engine.running(BpmnProcesses.RETIREMENT, agent))
                .as("another process of the same agent")
                .isFalse();
        awaitJob(TaskTypes.DISABLE_IDENTITY, agent);
        assertThat(jobsFor(TaskTypes.SUSPEND_AGENT, agent)).as("one instance").hasSize(1);
    }

    @Test
    void aCompletedJobsVariablesReachTheInstancesNextJob() {
        String agent = agent("agent-");
        engine.start(BpmnProcesses.ONBOARDING, agent, Map.of());
        awaitJob(TaskTypes.CLASSIFY_RISK, agent);
        assertThat(jobsFor(TaskTypes.CLASSIFY_RISK, agent).getFirst().variables())
                .containsEntry("handledverifyowner", true);
    }

    @Test
    void aMessageCorrelatedByTheAgentMovesOnlyThatAgentsInstanceToItsEnd() {
        String approved = agent("agent-");
        String waiting = agent("agent-");
        engine.start(BpmnProcesses.ONBOARDING, approved, Map.of());
        engine.start(BpmnProcesses.ONBOARDING, waiting, Map.of());
        awaitJob(TaskTypes.CLASSIFY_RISK, approved);
        awaitJob(TaskTypes.CLASSIFY_RISK, waiting);

        engine.correlate(Messages.AGENT_APPROVED, approved, Map.of("approvedBy", "carla"));
        awaitEnd(BpmnProcesses.ONBOARDING, approved, "active");
        assertThat(jobsFor(TaskTypes.PROVISION_IDENTITY, approved).getFirst().variables())
                .containsEntry("approvedBy", "carla");
        assertThat(jobsFor(TaskTypes.ACTIVATE_AGENT, approved)).hasSize(1);
        assertThat(jobsFor(TaskTypes.PROVISION_IDENTITY, waiting)).isEmpty();
        assertThat(endEvent(BpmnProcesses.ONBOARDING, waiting)).isEmpty();
        assertThat(engine.running(BpmnProcesses.ONBOARDING, waiting)).isTrue();
    }

    @Test
    void aMessagePublishedBeforeTheInstanceWaitsIsKeptAndDelivered() {
        String agent = agent("early-");
        engine.correlate(Messages.AGENT_REJECTED, agent, Map.of());
        engine.start(BpmnProcesses.ONBOARDING, agent, Map.of());
        awaitEnd(BpmnProcesses.ONBOARDING, agent, "endRejected");
        assertThat(jobsFor(TaskTypes.PROVISION_IDENTITY, agent)).isEmpty();
    }

    @Test
    void aBpmnErrorTakesTheModelledPath() {
        String agent = agent("orphan-");
        engine.start(BpmnProcesses.ONBOARDING, agent, Map.of());
        awaitEnd(BpmnProcesses.ONBOARDING, agent, "endInvalidOwner");
        assertThat(jobsFor(TaskTypes.REJECT_REGISTRATION, agent)).hasSize(1);
        assertThat(jobsFor(TaskTypes.CLASSIFY_RISK, agent)).isEmpty();
    }

    @Test
    void aFailedJobIsRetriedWithOneRetryLessAfterItsBackoff() {
        String agent = agent("flaky-");
        failuresLeft.put(TaskTypes.NOTIFY_OWNER + "/" + agent, 1);
        engine.start(BpmnProcesses.RETIREMENT, agent, Map.of());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> jobsFor(TaskTypes.NOTIFY_OWNER, agent).size() == 2);
        assertThat(jobsFor(TaskTypes.NOTIFY_OWNER, agent))
                .extracting(Job::retries)
                .containsExactly(3, 2);
        assertThat(audit.events).anySatisfy(e -> {
            assertThat(e.agentId()).isEqualTo(agent);
            assertThat(e.details()).containsEntry("result", "failed").containsEntry("retriesLeft", "2");
        });
        engine.correlate(Messages.AGENT_KEPT, agent, Map.of());
        awaitEnd(BpmnProcesses.RETIREMENT, agent, "keptEnd");
    }

    @Test
    void aTimerFiresWhenTheEnginesClockPassesItAndTheInstanceEnds() {
        String agent = agent("timer-");
        engine.start(BpmnProcesses.ORPHANED, agent, Map.of());
        awaitJob(TaskTypes.NOTIFY_MANAGER, agent);
        awaitTimer(BpmnProcesses.ORPHANED, agent);
        assertThat(jobsFor(TaskTypes.SUSPEND_AGENT, agent))
                .as("not before the 14 days")
                .isEmpty();
        passTime(Duration.ofDays(15));
        awaitEnd(BpmnProcesses.ORPHANED, agent, "suspended");
        assertThat(jobsFor(TaskTypes.SUSPEND_AGENT, agent)).hasSize(1);
    }
}
