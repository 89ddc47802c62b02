package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.GatewayDenied;
import io.warden.policy.ReasonCodes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The meters the propagation and self-test features report through, and the bound on label values. */
class GatewayMetricsTests {

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final Instant now = Instant.parse("2025-06-01T02:00:00Z");
    final GatewayMetrics metrics = new GatewayMetrics(meters, Clock.fixed(now, ZoneOffset.UTC));

    @Test
    @SuppressWarnings(
            "NullAway") // the nulls are the input under test: the guards are for callers NullAway does not see
    void aRegistryAndAClockAreRequired() {
        assertThatThrownBy(() -> new GatewayMetrics(null, Clock.systemUTC()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("registry");
        assertThatThrownBy(() -> new GatewayMetrics(meters, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("clock");
    }

    @Test
    void selfTestsAreCountedByResultTimedAndTheirLastSuccessAndFailureStamped() {
        assertThat(gauge("warden.killswitch.selftest.last.success.timestamp"))
                .as("not since start")
                .isZero();
        assertThat(meters.get("warden.killswitch.selftest")
                        .tag("result", "failed")
                        .counter()
                        .count())
                .as("the failed series exists before the first failure, so increase() sees it")
                .isZero();

        metrics.selfTest(true, Duration.ofMillis(800));
        metrics.selfTest(false, Duration.ofSeconds(3));

        assertThat(meters.get("warden.killswitch.selftest")
                        .tag("result", "passed")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get("warden.killswitch.selftest")
                        .tag("result", "failed")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get("warden.killswitch.selftest.duration")
                        .tag("result", "failed")
                        .timer()
                        .totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(3000);
        assertThat(gauge("warden.killswitch.selftest.last.success.timestamp")).isEqualTo(now.getEpochSecond());
        assertThat(gauge("warden.killswitch.selftest.last.failure.timestamp")).isEqualTo(now.getEpochSecond());
    }

    @Test
    void revocationsAreTimedAndTheUnconfirmedCounted() {
        metrics.revocationApplied(Duration.ofMillis(12));
        metrics.revocationApplied(Duration.ofMillis(40));
        metrics.revocationUnconfirmed();
        var propagation = meters.get("warden.revocation.propagation").timer();
        assertThat(propagation.count()).isEqualTo(2);
        assertThat(propagation.max(TimeUnit.MILLISECONDS)).isEqualTo(40);
        assertThat(meters.get("warden.revocation.unconfirmed").counter().count())
                .isEqualTo(1);
    }

    @Test
    void inventedToolKeysAndReasonsCannotGrowTheLabelsWithoutBound() {
        for (int i = 0; i < 500; i++) {
            String tool = "tool-" + i;
            String reason = "REASON_" + i;
            assertThatThrownBy(() -> metrics.call(tool, () -> {
                        throw new GatewayDenied(ProblemKind.FORBIDDEN, List.of(reason), "no", 0);
                    }))
                    .isInstanceOf(GatewayDenied.class);
        }
        metrics.call("bad key with spaces and \"quotes\"", () -> "answered");
        Set<String> tools = labels("tool");
        Set<String> reasons = labels("reason");
        assertThat(tools)
                .hasSize(GatewayMetrics.MAX_LABEL_VALUES + 1)
                .contains(GatewayMetrics.OTHER)
                .contains("tool-0");
        assertThat(reasons)
                .hasSizeLessThanOrEqualTo(GatewayMetrics.MAX_LABEL_VALUES + 2)
                .contains(GatewayMetrics.OTHER);
        assertThat(meters.get("warden.gateway.calls")
                        .tags("tool", GatewayMetrics.OTHER, "decision", "PERMIT")
                        .counter()
                        .count())
                .as("a key that is no key is counted as other")
                .isEqualTo(1);
    }

    @Test
    void anUnexpectedFailureIsCountedAsAnErrorAndRethrown() {
        assertThatThrownBy(() -> metrics.call("text-search", () -> {
                    throw new IllegalStateException("bug");
                }))
                .hasMessage("bug");
        assertThat(meters.get("warden.gateway.calls")
                        .tags("tool", "text-search", "decision", "ERROR", "reason", "none")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void quotaRefusalsAreRateLimitRefusalsToo() {
        assertThatThrownBy(() -> metrics.call("classify", () -> {
                    throw new GatewayDenied(ProblemKind.TOO_MANY_REQUESTS, List.of("QUOTA_EXHAUSTED"), "no", 60);
                }))
                .isInstanceOf(GatewayDenied.class);
        assertThatThrownBy(() -> metrics.call("classify", () -> {
                    throw new GatewayDenied(ProblemKind.FORBIDDEN, List.of(ReasonCodes.KILL_SWITCH), "no", 0);
                }))
                .isInstanceOf(GatewayDenied.class);
        assertThat(meters.get("warden.gateway.rate.limited")
                        .tags("tool", "classify", "reason", "QUOTA_EXHAUSTED")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.find("warden.gateway.rate.limited").counters()).hasSize(1);
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    private Set<String> labels(String key) {
        return meters.find("warden.gateway.calls").counters().stream()
                .flatMap(c -> c.getId().getTags().stream())
                .filter(t -> t.getKey().equals(key))
                .map(Tag::getValue)
                .collect(Collectors.toSet());
    }
}
