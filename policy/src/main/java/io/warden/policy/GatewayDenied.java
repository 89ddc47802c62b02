package io.warden.policy;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The gateway refused or could not complete a call; nothing was forwarded without its audit record. The problem's
 * code is the first reason in kebab case ({@code KILL_SWITCH} → {@code kill-switch}); all reasons travel as the
 * {@code reasons} member. Kinds: {@code INVALID}, {@code UNAUTHENTICATED}, {@code FORBIDDEN},
 * {@code TOO_MANY_REQUESTS} (with a retry delay) or {@code UNAVAILABLE}.
 */
public final class GatewayDenied extends ProblemException {

    private final List<String> reasons;
    private final long retryAfterSeconds;

    public GatewayDenied(ProblemKind kind, List<String> reasons, String message, long retryAfterSeconds) {
        super(code(reasons), kind, message, null, Map.of("reasons", List.copyOf(reasons)));
        this.reasons = List.copyOf(reasons);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** An invalid call, the problem naming the argument at fault. */
    public static GatewayDenied invalidField(List<String> reasons, String field, String message) {
        return new GatewayDenied(reasons, field, message);
    }

    private GatewayDenied(List<String> reasons, String field, String message) {
        super(code(reasons), ProblemKind.INVALID, message, field, Map.of("reasons", List.copyOf(reasons)));
        this.reasons = List.copyOf(reasons);
        this.retryAfterSeconds = 0;
    }

    private static String code(List<String> reasons) {
        return reasons.isEmpty()
                ? "denied"
                : reasons.getFirst().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public List<String> reasons() {
        return reasons;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public @Nullable Duration retryAfter() {
        return retryAfterSeconds > 0 ? Duration.ofSeconds(retryAfterSeconds) : null;
    }
}
