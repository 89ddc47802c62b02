package io.warden.policy;

/** A kill-switch change was refused; {@link #code()} says why ({@code already-engaged}, {@code not-engaged}, {@code second-person-required}, {@code invalid-target}). */
public final class KillSwitchRefused extends RuntimeException {

    private final String code;
    private final int status;

    public KillSwitchRefused(String code, int status, String message) {
        super(message);
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    /** The HTTP status the web edge answers with. */
    public int status() {
        return status;
    }
}
