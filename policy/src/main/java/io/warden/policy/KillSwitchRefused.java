package io.warden.policy;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A kill-switch change was refused; {@link #code()} says why: {@code already-engaged}, {@code not-engaged},
 * {@code self-test-running} (conflicts), {@code second-person-required} (forbidden), {@code not-found},
 * {@code invalid-target} (field {@code target}), {@code invalid-limit} (field {@code limit}).
 */
public final class KillSwitchRefused extends ProblemException {

    public KillSwitchRefused(String code, ProblemKind kind, String message) {
        super(code, kind, message);
    }

    public KillSwitchRefused(String code, ProblemKind kind, @Nullable String field, String message) {
        super(code, kind, message, field, Map.of());
    }

    /** The switch's target is missing or does not name something of its scope. */
    public static KillSwitchRefused invalidTarget(String message) {
        return new KillSwitchRefused("invalid-target", ProblemKind.INVALID, "target", message);
    }
}
