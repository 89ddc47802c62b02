package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.events.EventPublication;

/** The back-off between redeliveries of one failed publication: doubling from the first wait, capped. */
class EventRedeliveryTests {

    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    final EventRedelivery redelivery = new EventRedelivery(
            options -> {},
            new EventRedelivery.Properties(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofHours(1), 500),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aPublicationNeverRedeliveredIsDueAtOnce() {
        assertThat(redelivery.due(failed(0, null))).isTrue();
    }

    @Test
    void theWaitDoublesWithEachAttemptUpToTheCap() {
        assertThat(redelivery.due(failed(1, NOW.minusSeconds(59)))).isFalse();
        assertThat(redelivery.due(failed(1, NOW.minusSeconds(60)))).isTrue();
        assertThat(redelivery.due(failed(2, NOW.minusSeconds(119)))).isFalse();
        assertThat(redelivery.due(failed(2, NOW.minusSeconds(120)))).isTrue();
        assertThat(redelivery.due(failed(4, NOW.minusSeconds(479)))).isFalse();
        assertThat(redelivery.due(failed(4, NOW.minusSeconds(480)))).isTrue();
        // 2^9 minutes would be over eight hours: an hour is the most it waits, however many attempts
        assertThat(redelivery.due(failed(10, NOW.minus(Duration.ofMinutes(59)))))
                .isFalse();
        assertThat(redelivery.due(failed(10, NOW.minus(Duration.ofHours(1))))).isTrue();
        assertThat(redelivery.due(failed(1_000, NOW.minus(Duration.ofHours(1)))))
                .isTrue();
    }

    @Test
    void settingsThatCannotWorkAreRefusedNamingTheProperty() {
        assertThatThrownBy(() ->
                        new EventRedelivery.Properties(Duration.ZERO, Duration.ofMinutes(1), Duration.ofHours(1), 1))
                .hasMessageContaining("warden.events.redeliver-every");
        assertThatThrownBy(() -> new EventRedelivery.Properties(
                        Duration.ofMinutes(1), Duration.ofHours(2), Duration.ofHours(1), 1))
                .hasMessageContaining("warden.events.backoff");
        assertThatThrownBy(() -> new EventRedelivery.Properties(
                        Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofHours(1), 0))
                .hasMessageContaining("warden.events.batch");
    }

    private static EventPublication failed(int attempts, @Nullable Instant lastResubmission) {
        return new EventPublication() {
            @Override
            public UUID getIdentifier() {
                return UUID.randomUUID();
            }

            @Override
            public Object getEvent() {
                return "event";
            }

            @Override
            public Instant getPublicationDate() {
                return NOW.minus(Duration.ofDays(1));
            }

            @Override
            public Optional<Instant> getCompletionDate() {
                return Optional.empty();
            }

            @Override
            public Status getStatus() {
                return Status.FAILED;
            }

            @Override
            public @Nullable Instant getLastResubmissionDate() {
                return lastResubmission;
            }

            @Override
            public int getCompletionAttempts() {
                return attempts;
            }
        };
    }
}
