package io.warden.policy.internal.backend;

/**
 * A backend call that did not produce an answer. Codes are stable: {@code egress-refused}, {@code upstream-timeout},
 * {@code upstream-unavailable}, {@code response-too-large}, {@code invalid-arguments}.
 */
public final class BackendFailure extends Exception {

    private final String code;
    private final boolean invalidInput;

    public BackendFailure(String code, String message, boolean invalidInput) {
        super(message);
        this.code = code;
        this.invalidInput = invalidInput;
    }

    public BackendFailure(String code, String message, boolean invalidInput, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.invalidInput = invalidInput;
    }

    public String code() {
        return code;
    }

    /** Whether the call's own arguments were at fault (the caller must change them), not the backend. */
    public boolean invalidInput() {
        return invalidInput;
    }
}
