package io.warden.policy;

import org.jspecify.annotations.Nullable;

/**
 * A rate-limit change or read was refused; {@link #code()} is stable: {@code stale-version} (409),
 * {@code tool-not-found}, {@code agent-not-found}, {@code override-not-found} (404), {@code not-owner} (403).
 */
public final class RateLimitRefused extends RuntimeException {

    private final String code;
    private final int status;
    private final @Nullable String field;

    public RateLimitRefused(String code, int status, @Nullable String field, String message) {
        super(message);
        this.code = code;
        this.status = status;
        this.field = field;
    }

    public String code() {
        return code;
    }

    /** The HTTP status the web edge answers with. */
    public int status() {
        return status;
    }

    /** The request field or path variable at fault, when one is. */
    public @Nullable String field() {
        return field;
    }
}
