package io.warden.policy.internal;

import io.warden.audit.problem.ProblemKind;
import io.warden.policy.ApprovalRequired;
import io.warden.policy.DecisionInput;
import io.warden.policy.GatewayDenied;
import io.warden.policy.OnBehalfOf;
import io.warden.policy.ReasonCodes;
import io.warden.policy.ToolCall;
import io.warden.registry.EntitlementsUnavailable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's ports to the people in the loop of a call: who a delegated call serves (their entitlements and
 * break-glass membership), per-call approvals, and the review of break-the-glass calls.
 *
 * @param people     the person of an on-behalf-of call, as the decision sees them
 * @param approvals  parks calls that wait for a person's approval and checks the approvals calls resubmit with
 * @param breakGlass told of every emergency access the gateway allowed, after its decision record is durable
 */
record PeopleInTheLoop(People people, CallApprovals approvals, BreakGlassReviews breakGlass) {

    /** The person an on-behalf-of call serves, resolved when the call is decided. */
    @FunctionalInterface
    interface People {

        /**
         * @throws EntitlementsUnavailable when the directory or the mapping cannot be read: the call is refused
         */
        DecisionInput.Person person(OnBehalfOf onBehalfOf);
    }

    /**
     * A call that waits for, or presents, a person's approval: what the approver is shown and what the approval is
     * bound to (agent, tool, dataset, purpose and the SHA-256 digest of the exact arguments).
     *
     * @param agentId   the agent's registry id
     * @param agentName the agent's display name, for the approver
     * @param shown     the arguments as the approver reads them (an image or vector by its size only)
     */
    record Pending(
            String clientId,
            String agentId,
            String agentName,
            String tool,
            String dataset,
            @Nullable String purposeOfUse,
            String digest,
            Map<String, @Nullable Object> shown,
            @Nullable OnBehalfOf person,
            @Nullable String justification,
            @Nullable String traceId,
            ToolCall.Edge edge) {}

    /** Per-call approvals: single-use, bound to the call's digest, expiring. Thread-safe. */
    interface CallApprovals {

        /** Whether the approval was granted and is still usable by exactly this call (not used, not expired). */
        boolean valid(String approvalId, Pending call);

        /** Uses the approval for this call; {@code false} when it is no longer valid (another call used it first). */
        boolean consume(String approvalId, Pending call);

        /** Records the call as waiting for a person's approval; the returned exception tells the agent where. */
        ApprovalRequired park(Pending call);

        /** No approval service on this instance: a call that needs one is refused, never served unapproved. */
        CallApprovals NONE = new CallApprovals() {
            @Override
            public boolean valid(String approvalId, Pending call) {
                return false;
            }

            @Override
            public boolean consume(String approvalId, Pending call) {
                return false;
            }

            @Override
            public ApprovalRequired park(Pending call) {
                throw new GatewayDenied(
                        ProblemKind.FORBIDDEN,
                        List.of(ReasonCodes.APPROVAL_REQUIRED),
                        "This call needs a person's approval and no approval service runs here",
                        0);
            }
        };
    }

    /** An emergency access the gateway allowed: a `break-glass-review` must follow it. */
    record BreakGlassUse(
            String clientId,
            String agentId,
            String agentName,
            String personId,
            String tool,
            String dataset,
            String justification,
            String digest,
            @Nullable String traceId,
            Instant at) {}

    /** Starts the review of each break-the-glass call and tells compliance. */
    @FunctionalInterface
    interface BreakGlassReviews {

        /**
         * Called after the call's decision record is durable and before anything is forwarded; a failure refuses the
         * call (an emergency access nobody will review is not granted).
         */
        void used(BreakGlassUse use);
    }

    /** For tests and instances that serve no delegated calls: every person unknown, no approvals, no reviews. */
    static PeopleInTheLoop none() {
        return new PeopleInTheLoop(
                onBehalfOf -> {
                    throw new EntitlementsUnavailable(
                            onBehalfOf.personId(), new IllegalStateException("no directory is read on this instance"));
                },
                CallApprovals.NONE,
                use -> {
                    throw new IllegalStateException("No break-glass review runs on this instance");
                });
    }
}
