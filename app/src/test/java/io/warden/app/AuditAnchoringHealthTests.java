package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.audit.AuditAnchoring;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** What health says about anchoring: off without a TSA, degraded while none answers; never down. */
class AuditAnchoringHealthTests {

    @Test
    void withoutATsaHealthSaysAnchoringIsOff() {
        Health health = Objects.requireNonNull(new AuditAnchoringHealth(
                        () -> new AuditAnchoring.Status(false, List.of(), Duration.ofMinutes(1), 0, null, 0, 0, null))
                .health(true));

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("anchoring", "off");
    }

    @Test
    void aTsaThatDoesNotAnswerIsDegradedNotDown() {
        Health health = Objects.requireNonNull(new AuditAnchoringHealth(() -> new AuditAnchoring.Status(
                        true,
                        List.of("http://tsa.example/"),
                        Duration.ofMinutes(1),
                        120,
                        Instant.parse("2026-01-01T00:00:00Z"),
                        3,
                        4,
                        "http://tsa.example/ answered HTTP 503"))
                .health(true));

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails())
                .containsEntry("anchoring", "DEGRADED")
                .containsEntry("consecutiveFailures", 4L)
                .containsEntry("lastFailure", "http://tsa.example/ answered HTTP 503")
                .containsEntry("lastAnchoredSequence", 120L);
    }
}
