package io.warden.audit.internal.anchoring;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of checkpoint anchoring, under {@code warden.audit.anchoring}. With no {@code tsa-urls} anchoring is
 * off (health says so) and nothing else changes.
 *
 * @param tsaUrls         RFC 3161 time-stamp authorities over HTTP(S), tried in order for each checkpoint
 * @param tsaCertificates PEM files of the authorities' signing certificates: the only ones whose tokens are
 *                        accepted, when stamping and when verifying (required with {@code tsa-urls}; alone, older
 *                        tokens still verify)
 * @param every           a checkpoint over any unsigned events is signed and anchored at least this often, so at most
 *                        this long (plus an authority's answer) of the newest history is unanchored
 * @param poll            how often new checkpoints are looked for and sent to the authority
 * @param timeout         how long one authority may take to answer
 * @param maxDelay        the latest a token may be issued after its checkpoint's time and still verify: a token for
 *                        a history rewritten later carries the later time. Checkpoints older than this are no longer
 *                        sent (after an authority outage that long they stay unanchored)
 */
@ConfigurationProperties("warden.audit.anchoring")
public record AnchoringProperties(
        @DefaultValue List<URI> tsaUrls,
        @DefaultValue List<Path> tsaCertificates,
        @DefaultValue("PT1M") Duration every,
        @DefaultValue("PT1S") Duration poll,
        @DefaultValue("PT10S") Duration timeout,
        @DefaultValue("PT24H") Duration maxDelay) {

    public AnchoringProperties {
        tsaUrls = List.copyOf(tsaUrls);
        tsaCertificates = List.copyOf(tsaCertificates);
        if (!tsaUrls.isEmpty() && tsaCertificates.isEmpty()) {
            throw new IllegalArgumentException(
                    "warden.audit.anchoring.tsa-urls is set: set "
                            + "warden.audit.anchoring.tsa-certificates to the PEM files of those authorities' certificates too");
        }
        for (URI url : tsaUrls) {
            if (url.getScheme() == null
                    || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
                throw new IllegalArgumentException(
                        "warden.audit.anchoring.tsa-urls: " + url + " is not an http or https URL");
            }
        }
        positive("every", every);
        positive("poll", poll);
        positive("timeout", timeout);
        positive("max-delay", maxDelay);
        if (maxDelay.compareTo(every) <= 0) {
            throw new IllegalArgumentException("warden.audit.anchoring.max-delay must be longer than "
                    + "warden.audit.anchoring.every, or no checkpoint could be anchored in time");
        }
    }

    /** Anchoring off: no authority. */
    public static AnchoringProperties off() {
        return new AnchoringProperties(
                List.of(),
                List.of(),
                Duration.ofMinutes(1),
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofHours(24));
    }

    public boolean enabled() {
        return !tsaUrls.isEmpty();
    }

    private static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("warden.audit.anchoring." + name + " must be positive, got " + value);
        }
    }
}
