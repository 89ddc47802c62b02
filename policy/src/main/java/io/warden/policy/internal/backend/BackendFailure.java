package io.warden.policy.internal.backend;

import java.io.Serial;
import java.util.Objects;

/**
 * A call could not be forwarded, or the backend's answer cannot be used. {@link #code()} is stable and appears in
 * audit records: {@value #EGRESS_REFUSED}, {@value #UPSTREAM_TIMEOUT}, {@value #UPSTREAM_UNAVAILABLE},
 * {@value #RESPONSE_TOO_LARGE}, {@value #INVALID_ARGUMENTS}, {@value #CANCELLED}. {@link #invalidInput()} says the
 * caller's arguments were at fault (the edge answers 400 / a tool error naming them) rather than the backend.
 */
public final class BackendFailure extends Exception {

    @Serial
    private static final long serialVersionUID = 1L;

    public static final String EGRESS_REFUSED = "egress-refused";
    public static final String UPSTREAM_TIMEOUT = "upstream-timeout";
    public static final String UPSTREAM_UNAVAILABLE = "upstream-unavailable";
    public static final String RESPONSE_TOO_LARGE = "response-too-large";
    public static final String INVALID_ARGUMENTS = "invalid-arguments";
    /** The gateway interrupted the call (kill switch, deadline); the upstream was told where the protocol allows. */
    public static final String CANCELLED = "cancelled";

    private final String code;
    private final boolean invalidInput;

    public BackendFailure(String code, String message, boolean invalidInput) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
        this.invalidInput = invalidInput;
    }

    public BackendFailure(String code, String message) {
        this(code, message, false);
    }

    public BackendFailure(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.invalidInput = false;
    }

    public String code() {
        return code;
    }

    public boolean invalidInput() {
        return invalidInput;
    }
}
