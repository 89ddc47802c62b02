package io.warden.audit.problem;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Base of every exception a use case reports to its caller: a stable {@link #code()}, a {@link #kind()} the web edge
 * maps to an HTTP status, the request field at fault when there is one, and further machine-readable facts that
 * become members of the problem document. Subclasses are named for what happened ({@code KillSwitchRefused},
 * {@code GatewayDenied}); they carry no HTTP status, so a service stays free of the transport it is called over.
 *
 * <p>Immutable once thrown; {@link #properties()} is a copy.
 */
public abstract class ProblemException extends RuntimeException {

    private final String code;
    private final ProblemKind kind;
    private final @Nullable String field;
    private final Map<String, Object> properties;

    protected ProblemException(
            String code, ProblemKind kind, String detail, @Nullable String field, Map<String, ?> properties) {
        super(detail);
        if (code.isBlank()) {
            throw new IllegalArgumentException("A problem needs a stable code");
        }
        this.code = code;
        this.kind = kind;
        this.field = field;
        this.properties = Map.copyOf(properties);
    }

    protected ProblemException(String code, ProblemKind kind, String detail) {
        this(code, kind, detail, null, Map.of());
    }

    /** The stable code: the last segment of the problem {@code type} and its {@code code} member. */
    public final String code() {
        return code;
    }

    public final ProblemKind kind() {
        return kind;
    }

    /** The request field, parameter or header at fault, when one is. */
    public final @Nullable String field() {
        return field;
    }

    /** Extra, machine-readable facts for the problem document (the current status, the rule broken, ...). */
    public final Map<String, Object> properties() {
        return properties;
    }

    /** How long the caller should wait before trying again, when the refusal is temporary; none by default. */
    public @Nullable Duration retryAfter() {
        return null;
    }
}
