package io.warden.lifecycle;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;

/**
 * A lifecycle request that does not fit the processes' state or a rule's bounds, with a stable code and a kind:
 * {@code not-found}, {@code stale-version} and the state conflicts, {@code owner-acts-on-own-agents} (forbidden),
 * {@code invalid-field} (invalid).
 */
public class WorkflowRefused extends ProblemException {

    public WorkflowRefused(ProblemKind kind, String code, String message) {
        super(code, kind, message);
    }
}
