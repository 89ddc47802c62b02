package io.warden.policy.internal;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the gateway itself, under {@code warden.gateway} (its rate limits are {@link RateLimitProperties}).
 *
 * @param cacheRefresh        the longest a cached agent, tool or scope is served without a re-read (notifications
 *                            invalidate sooner)
 * @param retrievalDeadline   how long a governed retrieval may run before the call is answered 504 and cancelled
 * @param refusalRecordWindow repeated identical refusals within this window become one audit record with a count
 * @param maxConcurrentCalls  tool calls this instance serves at once; more are refused OVERLOADED (503, Retry-After)
 *                            rather than queued for a database connection (size it with the pool,
 *                            {@code warden.db.max-pool-size}, and the cores: docs/operations.md)
 * @param admissionWait       how long a call beyond that limit waits for a place before it is refused
 * @param breakGlassGroups    directory group ids whose members an agent may act for in an emergency (ETREAT, with a
 *                            written justification; every such call is reviewed); none by default
 */
@ConfigurationProperties("warden.gateway")
record GatewayProperties(
        @DefaultValue("PT30S") Duration cacheRefresh,
        @DefaultValue("PT5S") Duration retrievalDeadline,
        @DefaultValue("PT1S") Duration refusalRecordWindow,
        @DefaultValue("64") int maxConcurrentCalls,
        @DefaultValue("PT0.1S") Duration admissionWait,
        @DefaultValue List<String> breakGlassGroups) {

    GatewayProperties {
        PolicyProperties.positive("warden.gateway.cache-refresh", cacheRefresh);
        PolicyProperties.positive("warden.gateway.retrieval-deadline", retrievalDeadline);
        if (refusalRecordWindow.isNegative()) {
            throw new IllegalArgumentException(
                    "warden.gateway.refusal-record-window must not be negative; got " + refusalRecordWindow);
        }
        breakGlassGroups = List.copyOf(breakGlassGroups);
        if (breakGlassGroups.stream().anyMatch(group -> group == null || group.isBlank())) {
            throw new IllegalArgumentException("warden.gateway.break-glass-groups holds a blank group id");
        }
        if (maxConcurrentCalls < 1 || maxConcurrentCalls > 100_000) {
            throw new IllegalArgumentException(
                    "warden.gateway.max-concurrent-calls is between 1 and 100000; got " + maxConcurrentCalls);
        }
        if (admissionWait.isNegative() || admissionWait.compareTo(Duration.ofSeconds(30)) > 0) {
            throw new IllegalArgumentException(
                    "warden.gateway.admission-wait is between 0 and 30 seconds; got " + admissionWait);
        }
    }
}
