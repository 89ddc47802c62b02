package io.warden.policy.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the gateway's rate limits, under {@code warden.gateway.rate-limits}.
 *
 * @param defaultRatePerSecond the built-in rate where no admin has set one for the tool (calls per second)
 * @param defaultBurst         the built-in burst
 * @param leaseWindow          a lease holds at most this long's worth of the rate (and never more than the burst):
 *                             the larger, the fewer database round trips and the larger the lease slack
 * @param leaseTtl             how long a lease may be spent; a changed limit reaches every instance within it
 * @param quotaLeaseFraction   a lease holds at most this fraction of the remaining quota (at least one call)
 */
@ConfigurationProperties("warden.gateway.rate-limits")
record RateLimitProperties(
        @DefaultValue("100") double defaultRatePerSecond,
        @DefaultValue("200") int defaultBurst,
        @DefaultValue("PT0.1S") Duration leaseWindow,
        @DefaultValue("PT1S") Duration leaseTtl,
        @DefaultValue("0.0625") double quotaLeaseFraction) {

    public RateLimitProperties {
        if (!(defaultRatePerSecond > 0) || Double.isInfinite(defaultRatePerSecond)) {
            throw new IllegalArgumentException(
                    "warden.gateway.rate-limits.default-rate-per-second must be a positive number, " + "e.g. 100; got "
                            + defaultRatePerSecond);
        }
        if (defaultBurst < 1) {
            throw new IllegalArgumentException(
                    "warden.gateway.rate-limits.default-burst must be at least 1, e.g. 200; got " + defaultBurst);
        }
        if (leaseWindow.isNegative() || leaseWindow.isZero() || leaseTtl.isNegative() || leaseTtl.isZero()) {
            throw new IllegalArgumentException(
                    "warden.gateway.rate-limits.lease-window and .lease-ttl must be positive, "
                            + "e.g. PT0.1S and PT1S; got " + leaseWindow + " and " + leaseTtl);
        }
        if (!(quotaLeaseFraction > 0) || quotaLeaseFraction > 1) {
            throw new IllegalArgumentException(
                    "warden.gateway.rate-limits.quota-lease-fraction must be in (0, 1], e.g. 0.0625; got "
                            + quotaLeaseFraction);
        }
    }
}
