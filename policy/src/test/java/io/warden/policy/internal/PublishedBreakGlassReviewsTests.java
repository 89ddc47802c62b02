package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.policy.events.BreakGlassUsed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

class PublishedBreakGlassReviewsTests {

    static final PeopleInTheLoop.BreakGlassUse USE = new PeopleInTheLoop.BreakGlassUse(
            "agent-ed",
            UUID.randomUUID().toString(),
            "ED agent",
            "person-1",
            "text-search",
            "notes-phi",
            "unconscious patient",
            "0".repeat(64),
            "trace-1",
            Instant.parse("2026-12-06T10:00:00Z"));

    /** Records what happened, in order; begins no real transaction, or refuses to begin one. */
    static final class Transactions extends AbstractPlatformTransactionManager {
        final List<String> steps;
        final boolean down;

        Transactions(List<String> steps, boolean down) {
            this.steps = steps;
            this.down = down;
        }

        @Override
        protected Object doGetTransaction() {
            return new Object();
        }

        @Override
        protected void doBegin(Object transaction, TransactionDefinition definition) {
            if (down) {
                throw new CannotCreateTransactionException("database away");
            }
            steps.add("begin");
        }

        @Override
        protected void doCommit(DefaultTransactionStatus status) {
            steps.add("commit");
        }

        @Override
        protected void doRollback(DefaultTransactionStatus status) {
            steps.add("rollback");
        }
    }

    @Test
    void theUseIsPublishedInsideATransactionThatCommitsBeforeTheCallGoesOn() {
        List<String> steps = new ArrayList<>();
        List<BreakGlassUsed> published = new ArrayList<>();
        UUID id = UUID.randomUUID();
        var reviews = new PublishedBreakGlassReviews(
                new TransactionTemplate(new Transactions(steps, false)),
                event -> {
                    steps.add("publish in transaction: " + TransactionSynchronizationManager.isSynchronizationActive());
                    published.add((BreakGlassUsed) event);
                },
                () -> id);

        reviews.used(USE);

        assertThat(steps).containsExactly("begin", "publish in transaction: true", "commit");
        assertThat(published).singleElement().satisfies(event -> {
            assertThat(event.id()).isEqualTo(id);
            assertThat(event.personId()).isEqualTo("person-1");
            assertThat(event.justification()).isEqualTo("unconscious patient");
            assertThat(event.requestDigest()).isEqualTo(USE.digest());
        });
    }

    @Test
    void whenTheHandOffCannotBeStoredTheGatewayIsToldSoItRefusesTheCall() {
        List<BreakGlassUsed> published = new ArrayList<>();
        var reviews = new PublishedBreakGlassReviews(
                new TransactionTemplate(new Transactions(new ArrayList<>(), true)),
                event -> published.add((BreakGlassUsed) event),
                UUID::randomUUID);

        assertThatThrownBy(() -> reviews.used(USE)).isInstanceOf(CannotCreateTransactionException.class);
        assertThat(published).isEmpty();
    }
}
