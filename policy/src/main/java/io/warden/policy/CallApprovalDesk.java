package io.warden.policy;

import io.warden.registry.Actor;
import java.util.List;

/**
 * Where people decide the calls parked for their approval. Who may see and decide a call: a compliance officer for a
 * data scope holding PHI (its arguments are PHI), an administrator or a compliance officer otherwise; never the
 * owner of the agent that made the call, nor the person the call serves. Each decision is audited
 * ({@code approval.granted}, {@code approval.denied}). Thread-safe.
 */
public interface CallApprovalDesk {

    /** The calls this person may see, pending ones first (newest first), then the most recent decided ones. */
    List<CallApproval> calls(Actor viewer, int limit);

    /**
     * How many pending calls wait for this person's decision: those they may see and may decide, not yet expired.
     * Zero for anyone who decides no calls.
     */
    int waiting(Actor viewer);

    /**
     * @throws CallApprovalRefused {@code not-found} when there is no such call or the viewer may not see it
     */
    CallApproval call(String id, Actor viewer);

    /**
     * Approves the call: its agent may resubmit exactly the same call once before it expires.
     *
     * @throws CallApprovalRefused {@code not-found}; {@code not-permitted} (forbidden) by the rules above;
     *                             {@code expired} or {@code not-pending} (conflict); {@code invalid-reason}
     */
    CallApproval approve(String id, String reason, Actor actor);

    /** Refuses the call; as {@link #approve}. */
    CallApproval deny(String id, String reason, Actor actor);
}
