package io.warden.registry;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long agents' credentials live and when they are renewed, under {@code warden.credentials}.
 *
 * @param secretLifetime  how long an embedded-provider client secret is valid (Entra's lifetime is
 *                        {@code warden.graph.secret-lifetime}); 1 day to 2 years, default 90 days
 * @param rotateBefore    a secret is replaced this long before it expires; shorter than the lifetime
 * @param overlap         how long a replaced secret keeps working beside the new one, so that the agent's
 *                        deployment can pick up the new one from the secret store; shorter than
 *                        {@code rotateBefore}, so the old one is revoked before it would have expired
 * @param expiryNotice    credentials expiring within this are shown on the dashboard and their owner told
 * @param rotationInterval how often the rotation runs
 */
@ConfigurationProperties("warden.credentials")
public record CredentialPolicy(
        @DefaultValue("P90D") Duration secretLifetime,
        @DefaultValue("P14D") Duration rotateBefore,
        @DefaultValue("P2D") Duration overlap,
        @DefaultValue("P30D") Duration expiryNotice,
        @DefaultValue("PT1H") Duration rotationInterval) {

    public CredentialPolicy {
        if (secretLifetime.compareTo(Duration.ofDays(1)) < 0 || secretLifetime.compareTo(Duration.ofDays(730)) > 0) {
            throw new IllegalArgumentException(
                    "warden.credentials.secret-lifetime must be between P1D and P730D, got " + secretLifetime);
        }
        if (rotateBefore.compareTo(Duration.ofHours(1)) < 0 || rotateBefore.compareTo(secretLifetime) >= 0) {
            throw new IllegalArgumentException(
                    "warden.credentials.rotate-before must be at least PT1H and shorter than the secret " + "lifetime ("
                            + secretLifetime + "), got " + rotateBefore);
        }
        if (overlap.compareTo(Duration.ofMinutes(5)) < 0 || overlap.compareTo(rotateBefore) >= 0) {
            throw new IllegalArgumentException(
                    "warden.credentials.overlap must be at least PT5M and shorter than rotate-before (" + rotateBefore
                            + "), got " + overlap);
        }
        if (expiryNotice.isNegative() || expiryNotice.isZero() || expiryNotice.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException(
                    "warden.credentials.expiry-notice must be between 1 second and P365D, got " + expiryNotice);
        }
        if (rotationInterval.compareTo(Duration.ofMinutes(1)) < 0
                || rotationInterval.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(
                    "warden.credentials.rotation-interval must be between PT1M and P1D, got " + rotationInterval);
        }
    }
}
