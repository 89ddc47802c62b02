package io.warden.lifecycle.internal;

import io.warden.audit.AuditRetention;
import io.warden.audit.RetentionRefused;
import io.warden.audit.problem.ProblemKind;
import io.warden.bpmn.BpmnProcesses;
import io.warden.bpmn.BpmnProcesses.Errors;
import io.warden.bpmn.BpmnProcesses.Messages;
import io.warden.bpmn.BpmnProcesses.TaskTypes;
import io.warden.lifecycle.AuditRemovals;
import io.warden.lifecycle.Job;
import io.warden.lifecycle.JobResult;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.lifecycle.WorkflowRefused;
import io.warden.registry.Actor;
import io.warden.registry.Role;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@link AuditRemovals} on {@link AuditRetention} and the {@code audit-removal} process. The archive row holds who
 * asked and who approved; the process holds the order (nothing is removed before the approval) and retries the
 * removal when the database is briefly away.
 */
final class AuditRemovalService implements AuditRemovals {

    private final AuditRetention retention;
    private final WorkflowEngine engine;

    AuditRemovalService(AuditRetention retention, WorkflowEngine engine) {
        this.retention = retention;
        this.engine = engine;
    }

    static String processKey(UUID archiveId) {
        return "audit-removal:" + archiveId;
    }

    void registerWith(WorkflowEngine engine) {
        engine.register(TaskTypes.AUDIT_REMOVE, this::remove);
    }

    @Override
    public AuditRetention.Archive request(Actor requester) {
        if (!requester.has(Role.ADMIN) && !requester.has(Role.COMPLIANCE)) {
            throw new WorkflowRefused(
                    ProblemKind.FORBIDDEN, "not-admin-or-compliance", "Admins and compliance ask for removals");
        }
        AuditRetention.Archive archive = retention.archive(requester.id());
        engine.start(
                BpmnProcesses.AUDIT_REMOVAL,
                processKey(archive.id()),
                Map.of("archiveId", archive.id().toString()));
        return archive;
    }

    @Override
    public AuditRetention.Archive approve(UUID archiveId, Actor approver) {
        if (!approver.has(Role.COMPLIANCE)) {
            throw new WorkflowRefused(
                    ProblemKind.FORBIDDEN,
                    "approver-not-compliance",
                    "Compliance approves the removal of audit records");
        }
        AuditRetention.Archive approved = retention.approve(archiveId, approver.id());
        // after the approval is recorded: the function checks the row, so a lost message removes nothing early
        engine.correlate(Messages.AUDIT_REMOVAL_APPROVED, processKey(archiveId), Map.of("approvedBy", approver.id()));
        return approved;
    }

    @Override
    public List<AuditRetention.Archive> list() {
        return retention.archives();
    }

    JobResult remove(Job job) {
        UUID archiveId;
        try {
            archiveId = UUID.fromString(job.text("archiveId", ""));
        } catch (IllegalArgumentException e) {
            return new JobResult.BpmnError(Errors.AUDIT_REMOVAL_REFUSED, "no archive id");
        }
        try {
            retention.remove(archiveId);
            return JobResult.complete();
        } catch (RetentionRefused refused) {
            // the database said no (a hold placed since, a younger record): keep everything; it is audited as asked
            return new JobResult.BpmnError(Errors.AUDIT_REMOVAL_REFUSED, refused.code() + ": " + refused.getMessage());
        } catch (RuntimeException e) {
            return new JobResult.Failure("the removal did not run: " + e.getMessage(), Duration.ofSeconds(30));
        }
    }
}
