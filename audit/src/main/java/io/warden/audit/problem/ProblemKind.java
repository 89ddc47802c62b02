package io.warden.audit.problem;

/**
 * What sort of failure a {@link ProblemException} reports, in the caller's terms. The web edge
 * ({@link Problems#status(ProblemKind)}) maps each kind to one HTTP status; code that throws never names one.
 */
public enum ProblemKind {
    /** The request is malformed or a value in it is out of range; the caller must change it. */
    INVALID,
    /** The caller is not (or no longer) known; it must authenticate again. */
    UNAUTHENTICATED,
    /** The caller is known but may not do this, by role, rule or policy decision. */
    FORBIDDEN,
    /** What the request names does not exist. */
    NOT_FOUND,
    /** The request clashes with the resource's current state or version; reload and decide again. */
    CONFLICT,
    /** The request is larger than Warden accepts. */
    TOO_LARGE,
    /** The request is well-formed but cannot be processed as sent (for example an idempotency key reused). */
    UNPROCESSABLE,
    /** The caller has used up its rate or quota for now; it may retry later. */
    TOO_MANY_REQUESTS,
    /** Something Warden depends on cannot answer, so Warden refuses rather than guess; it may be retried. */
    UNAVAILABLE
}
