package io.warden.policy;

import java.util.List;

/**
 * The gateway refused or could not complete a call; nothing was forwarded without its audit record.
 *
 * @see #status() 401, 403, 429 or 503
 */
public final class GatewayDenied extends RuntimeException {

    private final int status;
    private final List<String> reasons;
    private final long retryAfterSeconds;

    public GatewayDenied(int status, List<String> reasons, String message, long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.reasons = List.copyOf(reasons);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public List<String> reasons() {
        return reasons;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
