package io.warden.lifecycle.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BreakGlassPropertiesTests {

    @Test
    void aReviewTimeFromASecondToThirtyDaysIsAccepted() {
        assertThat(new BreakGlassProperties(Duration.ofDays(1)).reviewWithin()).isEqualTo(Duration.ofDays(1));
        assertThat(new BreakGlassProperties(Duration.ofSeconds(1)).reviewWithin())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(new BreakGlassProperties(Duration.ofDays(30)).reviewWithin()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void aZeroNegativeOrMonthsLongReviewTimeIsRefusedNamingTheSetting() {
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMinutes(-5), Duration.ofDays(31)}) {
            assertThatThrownBy(() -> new BreakGlassProperties(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("warden.break-glass.review-within");
        }
    }
}
