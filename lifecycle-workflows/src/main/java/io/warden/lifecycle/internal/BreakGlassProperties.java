package io.warden.lifecycle.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The review of emergency accesses, under {@code warden.break-glass}.
 *
 * @param reviewWithin how long compliance has to record a finding before security operations are told; the process
 *                     checks every 15 minutes, so the escalation comes at the first check after this has passed
 */
@ConfigurationProperties("warden.break-glass")
record BreakGlassProperties(@DefaultValue("P1D") Duration reviewWithin) {

    static final Duration LONGEST = Duration.ofDays(30);

    BreakGlassProperties {
        if (reviewWithin.compareTo(Duration.ofSeconds(1)) < 0 || reviewWithin.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException(
                    "warden.break-glass.review-within is between PT1S and P30D (an emergency access is reviewed"
                            + " within days, not months); got " + reviewWithin);
        }
    }
}
