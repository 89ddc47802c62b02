package io.warden.registry.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the registry, under {@code warden.registry}.
 *
 * @param recertificationPeriod how long an approval holds before the owner must attest again (default 90 days)
 * @param defaultPageSize       page size when a list request names none
 * @param maxPageSize           the largest page a list request may ask for
 */
@Validated
@ConfigurationProperties("warden.registry")
record RegistryProperties(
        @DefaultValue("P90D") Duration recertificationPeriod,
        @DefaultValue("20") int defaultPageSize,
        @DefaultValue("100") int maxPageSize) {

    public RegistryProperties {
        if (recertificationPeriod.isNegative() || recertificationPeriod.isZero()) {
            throw new IllegalArgumentException(
                    "warden.registry.recertification-period must be positive, e.g. P90D; got " + recertificationPeriod);
        }
        if (defaultPageSize < 1 || maxPageSize < defaultPageSize) {
            throw new IllegalArgumentException("warden.registry.default-page-size must be at least 1 and at most "
                    + "warden.registry.max-page-size; got " + defaultPageSize + " and " + maxPageSize);
        }
    }
}
