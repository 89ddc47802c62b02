package io.warden.policy;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A rate-limit change or read was refused; {@link #code()} is stable: {@code stale-version} (conflict),
 * {@code tool-not-found}, {@code agent-not-found}, {@code override-not-found} (not found), {@code not-owner}
 * (forbidden).
 */
public final class RateLimitRefused extends ProblemException {

    public RateLimitRefused(String code, ProblemKind kind, @Nullable String field, String message) {
        super(code, kind, message, field, Map.of());
    }
}
