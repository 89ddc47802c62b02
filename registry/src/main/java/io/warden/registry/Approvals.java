package io.warden.registry;

/**
 * The approval use cases: asking for a change to an agent's grants and deciding it. Each method is one
 * transaction that publishes its events or changes nothing; read approvals through {@link ApprovalQueries}.
 *
 * <p>Segregation of duties is enforced here: an approver is neither the requester nor the owner, and an
 * approval touching PHI or highly confidential data is decided by COMPLIANCE. Thread-safe.
 */
public interface Approvals {

    ApprovalView requestChange(AgentId id, Commands.RequestChange change, Actor actor);

    /** Approves: a registration activates the agent with the requested grants, a change applies to its grants. */
    ApprovalView approve(ApprovalId id, String reason, Actor actor);

    /** Rejects: a rejected registration returns the agent to DRAFT, a rejected change leaves it as it was. */
    ApprovalView reject(ApprovalId id, String reason, Actor actor);
}
