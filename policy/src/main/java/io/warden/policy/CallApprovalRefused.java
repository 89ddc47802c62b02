package io.warden.policy;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A decision on a parked call was refused; {@link #code()} says why: {@code not-found}, {@code not-permitted}
 * (forbidden), {@code expired}, {@code not-pending} (conflicts), {@code invalid-reason} (field {@code reason}).
 */
public final class CallApprovalRefused extends ProblemException {

    public CallApprovalRefused(String code, ProblemKind kind, @Nullable String field, String message) {
        super(code, kind, message, field, Map.of());
    }

    /** No call with that id, or one this person may not see: the two read alike. */
    public static CallApprovalRefused notFound() {
        return new CallApprovalRefused("not-found", ProblemKind.NOT_FOUND, null, "No such parked call");
    }
}
