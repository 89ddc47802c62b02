package io.warden.policy;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A read of the policy versions was refused; {@link #code()} is stable: {@code policy-version-not-found} (not found),
 * {@code invalid-field} (a bad number or page size, naming the parameter).
 */
public final class PolicyVersionRefused extends ProblemException {

    public PolicyVersionRefused(String code, ProblemKind kind, @Nullable String field, String message) {
        super(code, kind, message, field, Map.of());
    }
}
