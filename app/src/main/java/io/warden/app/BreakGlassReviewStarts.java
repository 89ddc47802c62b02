package io.warden.app;

import io.warden.lifecycle.BreakGlassOversight;
import io.warden.policy.events.BreakGlassUsed;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * An emergency access the gateway allowed opens its review (compliance told, a deadline, security operations after
 * it). Delivered through the event publication registry, so a restart or a failed start does not lose it; opening the
 * same use twice is a no-op.
 */
@Component
class BreakGlassReviewStarts {

    private final BreakGlassOversight oversight;

    BreakGlassReviewStarts(BreakGlassOversight oversight) {
        this.oversight = oversight;
    }

    @Async
    @TransactionalEventListener
    void on(BreakGlassUsed event) {
        oversight.open(new BreakGlassOversight.Use(
                event.id(),
                event.clientId(),
                event.agentId(),
                event.agentName(),
                event.personId(),
                event.tool(),
                event.dataset(),
                event.justification(),
                event.requestDigest(),
                event.traceId(),
                event.at()));
    }
}
