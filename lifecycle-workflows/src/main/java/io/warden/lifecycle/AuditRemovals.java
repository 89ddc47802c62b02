package io.warden.lifecycle;

import io.warden.audit.AuditRetention;
import io.warden.registry.Actor;
import java.util.List;
import java.util.UUID;

/**
 * The two-person removal of the audit trail's expired start, run as the {@code audit-removal} process: one person
 * (ADMIN or COMPLIANCE) asks, which archives the range; a second (COMPLIANCE, never the requester) approves, and the
 * process removes it through the database's removal function. Thread-safe.
 */
public interface AuditRemovals {

    /**
     * Archives the removable start of the chain and starts its process, waiting for the second person.
     *
     * @throws io.warden.audit.RetentionRefused {@code nothing-expired}
     * @throws WorkflowRefused {@code not-admin-or-compliance} (forbidden)
     */
    AuditRetention.Archive request(Actor requester);

    /**
     * Records the approval and lets the process remove the range.
     *
     * @throws io.warden.audit.RetentionRefused {@code not-found}, {@code approver-is-requester} (forbidden),
     *     {@code approved-already}
     * @throws WorkflowRefused {@code approver-not-compliance} (forbidden)
     */
    AuditRetention.Archive approve(UUID archiveId, Actor approver);

    /** The archives and where each stands, newest first. */
    List<AuditRetention.Archive> list();
}
