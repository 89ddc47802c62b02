package io.warden.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.modulith.events.EventPublication;
import org.springframework.modulith.events.FailedEventPublications;
import org.springframework.modulith.events.ResubmissionOptions;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Delivers again, while Warden runs, the module events whose listener failed: the audit record of a
 * registry change when the audit log could not write, a workflow start when the engine's database was
 * away. Without it they would wait for the next restart. Each failed publication is retried with
 * exponential back-off ({@code backoff}, doubled per attempt, at most {@code maxBackoff}) and never
 * dropped: an undelivered audit record is a gap in the trail. Publications stuck in flight (their
 * instance died) are marked failed by the event registry's staleness check ({@code
 * spring.modulith.events.staleness.*}) and then come here. Every listener is idempotent (audit records
 * carry the event as source id, starts and messages are keyed by agent), so a delivery that two
 * instances race for does no harm.
 */
@Component
class EventRedelivery {

    private static final Logger log = LoggerFactory.getLogger(EventRedelivery.class);

    private final FailedEventPublications failed;
    private final Properties properties;
    private final Clock clock;

    EventRedelivery(FailedEventPublications failed, Properties properties, Clock clock) {
        this.failed = failed;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(
            initialDelayString = "${warden.events.redeliver-every:PT1M}",
            fixedDelayString = "${warden.events.redeliver-every:PT1M}")
    void redeliver() {
        try {
            failed.resubmit(ResubmissionOptions.defaults()
                    .withBatchSize(properties.batch())
                    .withFilter(this::due));
        } catch (RuntimeException e) {
            log.warn("Could not redeliver the failed event publications; will try again", e);
        }
    }

    /**
     * Whether a failed publication's back-off has passed: {@code backoff × 2^(attempts − 1)} after its last
     * attempt, capped. The registry counts the first delivery as attempt 1 and dates it as the last
     * resubmission, so the first redelivery comes {@code backoff} after the event.
     */
    boolean due(EventPublication publication) {
        Instant last = publication.getLastResubmissionDate();
        if (last == null) {
            return true;
        }
        int doublings = Math.min(Math.max(publication.getCompletionAttempts() - 1, 0), 30);
        Duration wait = properties.backoff().multipliedBy(1L << doublings);
        if (wait.compareTo(properties.maxBackoff()) > 0) {
            wait = properties.maxBackoff();
        }
        return !clock.instant().isBefore(last.plus(wait));
    }

    /**
     * Settings under {@code warden.events}.
     *
     * @param redeliverEvery how often failed publications are looked for
     * @param backoff        the wait before the second redelivery of a publication; doubled for each further one
     * @param maxBackoff     the longest wait between redeliveries
     * @param batch          the most publications read per round (oldest first)
     */
    @ConfigurationProperties("warden.events")
    record Properties(
            @DefaultValue("PT1M") Duration redeliverEvery,
            @DefaultValue("PT1M") Duration backoff,
            @DefaultValue("PT1H") Duration maxBackoff,
            @DefaultValue("500") int batch) {

        Properties {
            if (redeliverEvery.isNegative() || redeliverEvery.isZero()) {
                throw new IllegalArgumentException(
                        "warden.events.redeliver-every must be positive, got " + redeliverEvery);
            }
            if (backoff.isNegative() || maxBackoff.compareTo(backoff) < 0) {
                throw new IllegalArgumentException(
                        "warden.events.backoff must be at least zero and at most warden.events.max-backoff, got "
                                + backoff + " and " + maxBackoff);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("warden.events.batch must be at least 1, got " + batch);
            }
        }
    }
}
