package io.warden.registry;

import org.jspecify.annotations.Nullable;

/** Read access to approvals. Thread-safe; every call reads committed state. */
public interface ApprovalQueries {

    ApprovalView getApproval(ApprovalId id);

    Page<ApprovalView> approvals(
            @Nullable ApprovalStatus status, @Nullable AgentId agentId, @Nullable Integer page, @Nullable Integer size);
}
