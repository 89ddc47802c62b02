package io.warden.policy.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the gateway itself, under {@code warden.gateway} (its rate limits are {@link RateLimitProperties}).
 *
 * @param cacheRefresh        the longest a cached agent, tool or scope is served without a re-read (notifications
 *                            invalidate sooner)
 * @param retrievalDeadline   how long a governed retrieval may run before the call is answered 504 and cancelled
 * @param refusalRecordWindow repeated identical refusals within this window become one audit record with a count
 */
@ConfigurationProperties("warden.gateway")
record GatewayProperties(
        @DefaultValue("PT30S") Duration cacheRefresh,
        @DefaultValue("PT5S") Duration retrievalDeadline,
        @DefaultValue("PT1S") Duration refusalRecordWindow) {

    GatewayProperties {
        PolicyProperties.positive("warden.gateway.cache-refresh", cacheRefresh);
        PolicyProperties.positive("warden.gateway.retrieval-deadline", retrievalDeadline);
        if (refusalRecordWindow.isNegative()) {
            throw new IllegalArgumentException(
                    "warden.gateway.refusal-record-window must not be negative; got " + refusalRecordWindow);
        }
    }
}
