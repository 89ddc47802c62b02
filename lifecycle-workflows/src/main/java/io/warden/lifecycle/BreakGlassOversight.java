package io.warden.lifecycle;

import io.warden.registry.Actor;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The review of emergency accesses (break-the-glass): each use the gateway allowed is reviewed by compliance within
 * {@code warden.break-glass.review-within}, and by security operations once that has passed. Thread-safe.
 */
public interface BreakGlassOversight {

    /**
     * One emergency access, as the gateway reported it after its decision record was durable.
     *
     * @param id the use's id, which becomes its review's: reporting the same use again opens nothing new
     */
    record Use(
            UUID id,
            String clientId,
            String agentId,
            String agentName,
            String personId,
            String tool,
            String dataset,
            String justification,
            String requestDigest,
            @Nullable String traceId,
            Instant at) {}

    /**
     * Records the use ({@code break_glass.used}) and starts its {@code break-glass-review} process, which tells
     * compliance. Idempotent: a use reported again starts nothing new (a delivery retried after a failure).
     *
     * @throws RuntimeException when the review cannot be recorded or its process started: report the use again
     */
    void open(Use use);

    /** The reviews, those waiting for a finding first (overdue ones before others), then the newest; at most 500. */
    List<BreakGlassReview> reviews();

    /**
     * Records a finding ({@code break_glass.reviewed}) and ends the review's process.
     *
     * @throws WorkflowRefused {@code not-found}; {@code review-closed} (conflict) when a finding is recorded already;
     *     {@code secops-after-escalation} (forbidden) when security operations review before the review is escalated;
     *     {@code reviewer-is-not-the-person} (forbidden) when the person the agent acted for reviews their own use
     */
    BreakGlassReview review(UUID id, BreakGlassReview.Finding finding, String note, Actor reviewer);
}
