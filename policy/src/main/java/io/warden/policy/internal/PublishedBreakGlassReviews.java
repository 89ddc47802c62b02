package io.warden.policy.internal;

import io.warden.policy.events.BreakGlassUsed;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.IdGenerator;

/**
 * Hands each emergency access to its review as a {@link BreakGlassUsed} event, committed to the event publication
 * registry before the call goes on: the review then starts even if Warden stops right after the decision, and is
 * delivered again until it has started. When the event cannot be stored the call is refused (the port's contract).
 */
final class PublishedBreakGlassReviews implements PeopleInTheLoop.BreakGlassReviews {

    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;
    private final IdGenerator ids;

    PublishedBreakGlassReviews(TransactionTemplate transactions, ApplicationEventPublisher events, IdGenerator ids) {
        this.transactions = transactions;
        this.events = events;
        this.ids = ids;
    }

    @Override
    public void used(PeopleInTheLoop.BreakGlassUse use) {
        BreakGlassUsed event = new BreakGlassUsed(
                ids.generateId(),
                use.clientId(),
                use.agentId(),
                use.agentName(),
                use.personId(),
                use.tool(),
                use.dataset(),
                use.justification(),
                use.digest(),
                use.traceId(),
                use.at());
        transactions.executeWithoutResult(status -> events.publishEvent(event));
    }
}
