package io.warden.policy;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A policy simulation was refused; {@link #code()} says why: {@code invalid-field} (the request names the field at
 * fault: a range the wrong way round or too long, a scope or tool the registry does not know, a limit out of range),
 * {@code decision-point-unavailable} (the decision point could not decide a replayed input: no partial report is
 * given, the caller may retry).
 */
public final class SimulationRefused extends ProblemException {

    private SimulationRefused(String code, ProblemKind kind, @Nullable String field, String message) {
        super(code, kind, message, field, Map.of());
    }

    /** The request's {@code field} cannot be simulated as sent. */
    public static SimulationRefused invalid(String field, String message) {
        return new SimulationRefused("invalid-field", ProblemKind.INVALID, field, message);
    }

    /** The decision point failed on a replayed input. */
    public static SimulationRefused unavailable(String message) {
        return new SimulationRefused("decision-point-unavailable", ProblemKind.UNAVAILABLE, null, message);
    }
}
