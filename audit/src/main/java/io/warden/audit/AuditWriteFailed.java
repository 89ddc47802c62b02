package io.warden.audit;

/**
 * An event could not be durably recorded. Nothing of it was written. Callers on a security path must deny
 * the action the event describes: no audit, no access.
 */
public final class AuditWriteFailed extends RuntimeException {

    public static final String CODE = "audit-write-failed";

    public AuditWriteFailed(String message, Throwable cause) {
        super(message, cause);
    }

    public AuditWriteFailed(String message) {
        super(message);
    }
}
