package io.warden.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where anchoring of the trail's checkpoints by RFC 3161 time-stamp authorities stands: what health and
 * operators read. Thread-safe.
 */
public interface AuditAnchoring {

    Status status();

    /**
     * @param enabled              whether a time-stamp authority is configured; when not, nothing is anchored
     * @param authorities          the authorities' URLs, in the order they are tried
     * @param every                the longest the newest history stays unanchored while the authorities answer
     * @param lastAnchoredSequence the last sequence covered by an anchored checkpoint (0 for none)
     * @param lastAnchoredAt       the time in that checkpoint's token
     * @param pending              signed checkpoints waiting for a token
     * @param consecutiveFailures  rounds in a row in which no authority gave a token (0 when healthy)
     * @param lastFailure          why the last round failed, while failures go on
     */
    record Status(
            boolean enabled,
            List<String> authorities,
            Duration every,
            long lastAnchoredSequence,
            @Nullable Instant lastAnchoredAt,
            long pending,
            long consecutiveFailures,
            @Nullable String lastFailure) {}
}
