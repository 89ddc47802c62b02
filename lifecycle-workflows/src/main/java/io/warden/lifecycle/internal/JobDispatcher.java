package io.warden.lifecycle.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import io.warden.lifecycle.Job;
import io.warden.lifecycle.JobHandler;
import io.warden.lifecycle.JobResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a handler for either engine and audits the step: {@code workflow.task} with the process, the task
 * type and what became of it. A handler that throws is a retryable failure. When the step cannot be
 * audited the job fails too (it is retried; handlers are idempotent), so no step goes unrecorded.
 *
 * <p>Meters, tagged only with names from the BPMN files (never an agent): {@code warden.workflow.jobs} (timer;
 * {@code process}, {@code task}, {@code result}: {@code completed}, {@code bpmn-error}, {@code retry} for a
 * failure with retries left, {@code incident} for one without: the engine holds that instance until someone
 * acts), {@code warden.workflow.started} ({@code process}) and
 * {@code warden.workflow.messages} ({@code message}).
 */
final class JobDispatcher {

    private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);
    static final AuditActor ACTOR = AuditActor.system("lifecycle-workflows");
    private static final List<String> RESULTS = List.of("completed", "bpmn-error", "retry", "incident");

    private final AuditLog audit;
    private final Duration failureBackoff;
    private final MeterRegistry meters;
    private final Tracer tracer;

    static final String JOB_SPAN = "warden.workflow.job";

    public JobDispatcher(AuditLog audit, Duration failureBackoff) {
        this(audit, failureBackoff, new SimpleMeterRegistry());
    }

    public JobDispatcher(AuditLog audit, Duration failureBackoff, MeterRegistry meters) {
        this(audit, failureBackoff, meters, Tracer.NOOP);
    }

    /**
     * @param tracer where each job's {@value #JOB_SPAN} span goes (whichever engine ran it); {@link Tracer#NOOP}
     *               (tracing off) opens none
     */
    public JobDispatcher(AuditLog audit, Duration failureBackoff, MeterRegistry meters, Tracer tracer) {
        this.audit = audit;
        this.failureBackoff = failureBackoff;
        this.meters = meters;
        this.tracer = tracer;
    }

    public JobResult run(JobHandler handler, Job job) {
        if (tracer == Tracer.NOOP) {
            return timed(handler, job);
        }
        // a job is the root of its own trace: the engine's worker thread belongs to no call; the span says which
        // process, task and agent, and how the job ended (never the process variables)
        Span span = tracer.nextSpan()
                .name(JOB_SPAN)
                .tag("warden.process", job.processId())
                .tag("warden.task", job.taskType())
                .tag("warden.agent", job.agentId())
                .start();
        try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
            JobResult result = timed(handler, job);
            span.tag("warden.result", outcome(job, result));
            if (result instanceof JobResult.Failure) {
                // the failure's message stays in the log and the audit trail: it may quote data the span must not
                span.error(new IllegalStateException(job.taskType() + " failed"));
            }
            return result;
        } finally {
            span.end();
        }
    }

    private static String outcome(Job job, JobResult result) {
        return switch (result) {
            case JobResult.Complete complete -> "completed";
            case JobResult.BpmnError error -> "bpmn-error";
            // the last retry's failure leaves the instance in an incident until someone acts on it
            case JobResult.Failure failure -> job.retries() <= 1 ? "incident" : "retry";
        };
    }

    private JobResult timed(JobHandler handler, Job job) {
        Timer.Sample sample = Timer.start(meters);
        JobResult result = dispatch(handler, job);
        String outcome = outcome(job, result);
        // every result's series exists from a task's first job, so that increase() sees the first incident
        for (String each : RESULTS) {
            jobs(job, each);
        }
        sample.stop(jobs(job, outcome));
        return result;
    }

    private Timer jobs(Job job, String result) {
        return Timer.builder("warden.workflow.jobs")
                .description("Workflow jobs run by this instance, from the handler's start to the step's audit record")
                .tag("process", job.processId())
                .tag("task", job.taskType())
                .tag("result", result)
                .publishPercentileHistogram()
                .register(meters);
    }

    private JobResult dispatch(JobHandler handler, Job job) {
        JobResult result;
        try {
            result = handler.handle(job);
        } catch (RuntimeException e) {
            log.warn(
                    "{} of {} for agent {} failed ({} retries left)",
                    job.taskType(),
                    job.processId(),
                    job.agentId(),
                    Math.max(0, job.retries() - 1),
                    e);
            result = new JobResult.Failure(e.getClass().getSimpleName() + ": " + e.getMessage(), failureBackoff);
        }
        var event = AuditEvent.builder("workflow.task", ACTOR, new AuditTarget("agent", job.agentId()))
                .agent(job.agentId())
                .detail("process", job.processId())
                .detail("task", job.taskType());
        switch (result) {
            case JobResult.Complete complete -> event.outcome(Outcome.SUCCESS).detail("result", "completed");
            case JobResult.BpmnError error ->
                event.outcome(Outcome.MINOR_FAILURE)
                        .detail("result", "bpmn-error")
                        .detail("errorCode", error.code());
            case JobResult.Failure failure ->
                event.outcome(Outcome.SERIOUS_FAILURE)
                        .detail("result", "failed")
                        .detail("retriesLeft", Math.max(0, job.retries() - 1));
        }
        try {
            audit.append(event.build());
        } catch (RuntimeException e) {
            log.error(
                    "Could not audit {} of {} for agent {}; the job is failed and will run again",
                    job.taskType(),
                    job.processId(),
                    job.agentId(),
                    e);
            return new JobResult.Failure("the step could not be audited: " + e.getMessage(), failureBackoff);
        }
        return result;
    }

    /** Audits many such events at once: queued together, so they share group commits; returns when all are durable. */
    void recordAll(String action, List<String> agentIds, String process) {
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (String agentId : agentIds) {
            pending.add(audit.appendQueued(AuditEvent.builder(action, ACTOR, new AuditTarget("agent", agentId))
                    .agent(agentId)
                    .detail("process", process)
                    .build()));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        if (action.equals("workflow.started")) {
            started(process).increment(agentIds.size());
        }
    }

    /** Audits a workflow event that is not a task: a process started, a message delivered. */
    void record(String action, String agentId, String processOrMessage) {
        audit.append(AuditEvent.builder(action, ACTOR, new AuditTarget("agent", agentId))
                .agent(agentId)
                .detail(action.equals("workflow.started") ? "process" : "message", processOrMessage)
                .build());
        if (action.equals("workflow.started")) {
            started(processOrMessage).increment();
        } else {
            Counter.builder("warden.workflow.messages")
                    .description("Messages delivered to workflow instances (decisions, attestations, resolutions)")
                    .tag("message", processOrMessage)
                    .register(meters)
                    .increment();
        }
    }

    private Counter started(String process) {
        return Counter.builder("warden.workflow.started")
                .description("Workflow instances started")
                .tag("process", process)
                .register(meters);
    }
}
