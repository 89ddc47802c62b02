package io.warden.lifecycle.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.problem.ProblemKind;
import io.warden.bpmn.BpmnProcesses;
import io.warden.bpmn.BpmnProcesses.Errors;
import io.warden.bpmn.BpmnProcesses.Messages;
import io.warden.bpmn.BpmnProcesses.TaskTypes;
import io.warden.lifecycle.BreakGlassOversight;
import io.warden.lifecycle.BreakGlassReview;
import io.warden.lifecycle.Job;
import io.warden.lifecycle.JobResult;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.lifecycle.WorkflowRefused;
import io.warden.registry.Actor;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.Role;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link BreakGlassOversight} on the {@code break_glass_review} table and the {@code break-glass-review} process: the
 * table holds what people review (and the portal lists), the process holds the deadline and who is told when. The
 * process's handlers are here too; each is idempotent, and none moves a review the table says is closed.
 */
final class BreakGlassReviewService implements BreakGlassOversight {

    private static final Logger log = LoggerFactory.getLogger(BreakGlassReviewService.class);
    private static final AuditActor ACTOR = JobDispatcher.ACTOR;
    private static final String COLUMNS = """
            id, agent_id, client_id, agent_name, person_id, person_name, tool, dataset, justification, request_digest,
            trace_id, used_at, due_at, status, escalated_at, finding, note, reviewed_by, reviewed_at""";

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final WorkflowEngine engine;
    private final Notifications notifications;
    private final AuditLog audit;
    private final Directory directory;
    private final Clock clock;
    private final Duration reviewWithin;

    BreakGlassReviewService(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            WorkflowEngine engine,
            Notifications notifications,
            AuditLog audit,
            Directory directory,
            Clock clock,
            Duration reviewWithin) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.engine = engine;
        this.notifications = notifications;
        this.audit = audit;
        this.directory = directory;
        this.clock = clock;
        this.reviewWithin = reviewWithin;
    }

    /** The process instance of a review: one per use, not per agent, since an agent breaks the glass many times. */
    static String processKey(UUID id) {
        return "break-glass:" + id;
    }

    void registerWith(WorkflowEngine engine) {
        engine.register(TaskTypes.BREAK_GLASS_NOTIFY, this::notifyCompliance);
        engine.register(TaskTypes.BREAK_GLASS_CHECK, this::checkDue);
        engine.register(TaskTypes.BREAK_GLASS_ESCALATE, this::escalate);
    }

    @Override
    public void open(Use use) {
        String personName = personName(use.personId());
        transactions.executeWithoutResult(status -> {
            int inserted = jdbc.sql("""
                    insert into break_glass_review (id, agent_id, client_id, agent_name, person_id, person_name, tool,
                        dataset, justification, request_digest, trace_id, used_at, due_at, status)
                    values (:id, :agentId, :clientId, :agentName, :personId, :personName, :tool, :dataset,
                        :justification, :digest, :traceId, :usedAt, :dueAt, 'OPEN')
                    on conflict (id) do nothing""")
                    .param("id", use.id())
                    .param("agentId", use.agentId())
                    .param("clientId", use.clientId())
                    .param("agentName", use.agentName())
                    .param("personId", use.personId())
                    .param("personName", personName)
                    .param("tool", use.tool())
                    .param("dataset", use.dataset())
                    .param("justification", use.justification())
                    .param("digest", use.requestDigest())
                    .param("traceId", use.traceId())
                    .param("usedAt", Timestamp.from(use.at()))
                    .param("dueAt", Timestamp.from(use.at().plus(reviewWithin)))
                    .update();
            if (inserted == 1) {
                // the source id keeps a redelivered use from being recorded twice
                audit.append(AuditEvent.builder(
                                "break_glass.used",
                                AuditActor.agent(use.clientId(), null),
                                new AuditTarget("break-glass-review", use.id().toString()))
                        .sourceId("break_glass.used:" + use.id())
                        .agent(use.clientId())
                        .tool(use.tool())
                        .dataset(use.dataset())
                        .purposeOfUse("ETREAT")
                        .requestDigest(use.requestDigest())
                        .correlationId(use.traceId())
                        .detail("onBehalfOf", use.personId())
                        .detail("justification", use.justification())
                        .detail("dueAt", use.at().plus(reviewWithin).toString())
                        .build());
            }
        });
        engine.start(
                BpmnProcesses.BREAK_GLASS_REVIEW,
                processKey(use.id()),
                Map.of("reviewId", use.id().toString()));
    }

    private @Nullable String personName(String personId) {
        try {
            return directory.findUser(personId).map(DirectoryUser::displayName).orElse(null);
        } catch (RuntimeException e) {
            // the review must open whatever the directory does; the portal shows the id where the name is missing
            log.warn("The directory could not name {} for a break-glass review: {}", personId, e.getMessage());
            return null;
        }
    }

    @Override
    public List<BreakGlassReview> reviews() {
        return jdbc.sql("select " + COLUMNS + """
                         from break_glass_review
                        order by case status when 'ESCALATED' then 0 when 'OPEN' then 1 else 2 end, used_at desc
                        limit 500""")
                .query(BreakGlassReviewService::row)
                .list();
    }

    Optional<BreakGlassReview> find(UUID id) {
        return jdbc.sql("select " + COLUMNS + " from break_glass_review where id = :id")
                .param("id", id)
                .query(BreakGlassReviewService::row)
                .optional();
    }

    @Override
    public BreakGlassReview review(UUID id, BreakGlassReview.Finding finding, String note, Actor reviewer) {
        BreakGlassReview recorded = transactions.execute(status -> {
            BreakGlassReview review = jdbc.sql(
                            "select " + COLUMNS + " from break_glass_review where id = :id for update")
                    .param("id", id)
                    .query(BreakGlassReviewService::row)
                    .optional()
                    .orElseThrow(() ->
                            new WorkflowRefused(ProblemKind.NOT_FOUND, "not-found", "No break-glass review " + id));
            if (review.personId().equals(reviewer.id())) {
                throw new WorkflowRefused(
                        ProblemKind.FORBIDDEN,
                        "reviewer-is-not-the-person",
                        "The person an emergency access served does not review it");
            }
            if (review.status() == BreakGlassReview.Status.REVIEWED) {
                throw new WorkflowRefused(
                        ProblemKind.CONFLICT,
                        "review-closed",
                        "Break-glass review " + id + " has its finding already (" + review.finding() + ")");
            }
            if (!reviewer.has(Role.COMPLIANCE) && review.status() != BreakGlassReview.Status.ESCALATED) {
                throw new WorkflowRefused(
                        ProblemKind.FORBIDDEN,
                        "secops-after-escalation",
                        "Compliance reviews emergency accesses; security operations may once the review is overdue");
            }
            Instant now = clock.instant();
            jdbc.sql("""
                    update break_glass_review
                       set status = 'REVIEWED', finding = :finding, note = :note, reviewed_by = :by, reviewed_at = :at
                     where id = :id""")
                    .param("finding", finding.name())
                    .param("note", note)
                    .param("by", reviewer.id())
                    .param("at", Timestamp.from(now))
                    .param("id", id)
                    .update();
            audit.append(AuditEvent.builder(
                            "break_glass.reviewed",
                            AuditActor.person(reviewer.id()),
                            new AuditTarget("break-glass-review", id.toString()))
                    .agent(review.clientId())
                    .tool(review.tool())
                    .dataset(review.dataset())
                    .purposeOfUse("ETREAT")
                    .requestDigest(review.requestDigest())
                    .detail("onBehalfOf", review.personId())
                    .detail("finding", finding.name())
                    .detail("note", note)
                    .detail("escalated", review.status() == BreakGlassReview.Status.ESCALATED)
                    .build());
            return find(id).orElseThrow();
        });
        // after the commit: a message lost here is made good by the process's next check, which finds the finding
        engine.correlate(Messages.BREAK_GLASS_REVIEWED, processKey(id), Map.of("finding", finding.name()));
        return Objects.requireNonNull(recorded);
    }

    // ---- the process's tasks -----------------------------------------------------------------------

    private Optional<BreakGlassReview> reviewOf(Job job) {
        return find(UUID.fromString(job.text("reviewId", "")));
    }

    JobResult notifyCompliance(Job job) {
        Optional<BreakGlassReview> found = reviewOf(job);
        if (found.isEmpty()) {
            return new JobResult.Failure("no break-glass review " + job.text("reviewId", "?"), Duration.ofSeconds(10));
        }
        BreakGlassReview review = found.get();
        notifications.send(
                "role:" + Role.COMPLIANCE.name(),
                review.agentId(),
                BpmnProcesses.BREAK_GLASS_REVIEW,
                "Break-the-glass access by " + review.agentName() + " to review",
                describe(review) + " Record a finding by " + review.dueAt() + ".",
                review.dueAt());
        return JobResult.complete();
    }

    JobResult checkDue(Job job) {
        Optional<BreakGlassReview> found = reviewOf(job);
        if (found.isEmpty()) {
            return new JobResult.Failure("no break-glass review " + job.text("reviewId", "?"), Duration.ofSeconds(10));
        }
        BreakGlassReview review = found.get();
        if (review.status() == BreakGlassReview.Status.REVIEWED) {
            return new JobResult.BpmnError(Errors.BREAK_GLASS_REVIEW_CLOSED, "the finding is recorded");
        }
        if (!clock.instant().isBefore(review.dueAt())) {
            return new JobResult.BpmnError(Errors.BREAK_GLASS_REVIEW_OVERDUE, "no finding by " + review.dueAt());
        }
        return JobResult.complete();
    }

    JobResult escalate(Job job) {
        Optional<BreakGlassReview> found = reviewOf(job);
        if (found.isEmpty()) {
            return new JobResult.Failure("no break-glass review " + job.text("reviewId", "?"), Duration.ofSeconds(10));
        }
        UUID id = found.get().id();
        Instant now = clock.instant();
        // only an OPEN review moves: a repeated job, or a finding recorded meanwhile, changes nothing
        Boolean escalated = transactions.execute(status -> {
            int moved = jdbc.sql("""
                    update break_glass_review set status = 'ESCALATED', escalated_at = :at
                     where id = :id and status = 'OPEN'""")
                    .param("at", Timestamp.from(now))
                    .param("id", id)
                    .update();
            if (moved == 1) {
                BreakGlassReview review = find(id).orElseThrow();
                audit.append(AuditEvent.builder(
                                "break_glass.escalated", ACTOR, new AuditTarget("break-glass-review", id.toString()))
                        .sourceId("break_glass.escalated:" + id)
                        .agent(review.clientId())
                        .tool(review.tool())
                        .dataset(review.dataset())
                        .purposeOfUse("ETREAT")
                        .detail("onBehalfOf", review.personId())
                        .detail("dueAt", review.dueAt().toString())
                        .build());
                notifications.send(
                        "role:" + Role.SECOPS.name(),
                        review.agentId(),
                        BpmnProcesses.BREAK_GLASS_REVIEW,
                        "Overdue break-the-glass review: " + review.agentName(),
                        describe(review) + " Nobody recorded a finding by " + review.dueAt()
                                + "; security operations may record it now.");
            }
            return moved == 1;
        });
        if (find(id).orElseThrow().status() == BreakGlassReview.Status.REVIEWED) {
            return new JobResult.BpmnError(Errors.BREAK_GLASS_REVIEW_CLOSED, "the finding is recorded");
        }
        return JobResult.complete(Map.of("escalated", Boolean.TRUE.equals(escalated)));
    }

    private static String describe(BreakGlassReview review) {
        return "Agent " + review.agentName() + " used " + review.tool() + " on " + review.dataset()
                + " for emergency treatment on behalf of "
                + (review.personName() == null ? review.personId() : review.personName()) + " at " + review.usedAt()
                + ", justified as: \"" + review.justification() + "\".";
    }

    private static BreakGlassReview row(ResultSet rs, int n) throws SQLException {
        String finding = rs.getString("finding");
        return new BreakGlassReview(
                rs.getObject("id", UUID.class),
                rs.getString("agent_id"),
                rs.getString("client_id"),
                rs.getString("agent_name"),
                rs.getString("person_id"),
                rs.getString("person_name"),
                rs.getString("tool"),
                rs.getString("dataset"),
                rs.getString("justification"),
                rs.getString("request_digest"),
                rs.getString("trace_id"),
                rs.getTimestamp("used_at").toInstant(),
                rs.getTimestamp("due_at").toInstant(),
                BreakGlassReview.Status.valueOf(rs.getString("status")),
                instant(rs.getTimestamp("escalated_at")),
                finding == null ? null : BreakGlassReview.Finding.valueOf(finding),
                rs.getString("note"),
                rs.getString("reviewed_by"),
                instant(rs.getTimestamp("reviewed_at")));
    }

    private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
