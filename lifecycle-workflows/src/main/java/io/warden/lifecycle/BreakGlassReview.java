package io.warden.lifecycle;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The review of one emergency access (break-the-glass) the gateway allowed: who (the agent and the person it acted
 * for, by name), what (tool, data scope, the request's digest), why (the written justification), and the finding once
 * recorded. Names are as they were when the glass was broken; {@code personName} is null when the directory did not
 * know the person then.
 *
 * @param dueAt when the review is overdue and security operations are told
 */
public record BreakGlassReview(
        UUID id,
        String agentId,
        String clientId,
        String agentName,
        String personId,
        @Nullable String personName,
        String tool,
        String dataset,
        String justification,
        String requestDigest,
        @Nullable String traceId,
        Instant usedAt,
        Instant dueAt,
        Status status,
        @Nullable Instant escalatedAt,
        @Nullable Finding finding,
        @Nullable String note,
        @Nullable String reviewedBy,
        @Nullable Instant reviewedAt) {

    /** OPEN until reviewed; ESCALATED once overdue (security operations may then record the finding too). */
    public enum Status {
        OPEN,
        ESCALATED,
        REVIEWED
    }

    /** What the reviewer found the emergency access to be. */
    public enum Finding {
        JUSTIFIED,
        NOT_JUSTIFIED
    }
}
