package io.warden.policy.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.policy.GatewayDenied;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.policy.ReasonCodes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * The gateway's and the kill switches' meters, as operators alert on them; {@code docs/operations.md}
 * lists each with what to alert on. Names are Micrometer's dotted form; Prometheus shows them with
 * underscores and the {@code _total} / {@code _seconds} suffixes ({@code warden.gateway.calls} →
 * {@code warden_gateway_calls_total}).
 *
 * <p>Labels are bounded: tool keys and reason codes only, never an agent, a client id or a dataset,
 * and at most {@value #MAX_LABEL_VALUES} distinct values of each — an agent that invents tool keys
 * cannot grow the scrape without limit; the rest are counted as {@value #OTHER}.
 *
 * <p>Thread-safe. Every method is cheap enough for the gateway's hot path (a counter increment or
 * a timer record; meters are looked up in Micrometer's own map).
 */
final class GatewayMetrics {

    static final int MAX_LABEL_VALUES = 100;
    static final String OTHER = "other";
    static final String NONE = "none";
    /** A refusal for having called too often; the rate-limit meter counts these (QUOTA_EXHAUSTED is issue 14's quota). */
    static final Set<String> RATE_REASONS = Set.of(ReasonCodes.RATE_LIMITED, "QUOTA_EXHAUSTED");

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_.-]{1,63}");

    private final MeterRegistry registry;
    private final Clock clock;
    private final Timer decisionLatency;
    private final Counter decisionUnavailable;
    private final Timer revocationPropagation;
    private final Counter revocationUnconfirmed;
    private final AtomicLong lastSelfTestSuccess = new AtomicLong();
    private final AtomicLong lastSelfTestFailure = new AtomicLong();
    private final Set<String> tools = ConcurrentHashMap.newKeySet();
    private final Set<String> reasons = ConcurrentHashMap.newKeySet();

    public GatewayMetrics(MeterRegistry registry, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.decisionLatency = Timer.builder("warden.gateway.decision")
                .description("Time the policy decision point took to decide a gateway call (embedded or OPA)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(2))
                .register(registry);
        this.decisionUnavailable = Counter.builder("warden.policy.decision.unavailable")
                .description(
                        "Decisions the decision point could not make (OPA down, slow or answering nonsense); each denied the call")
                .register(registry);
        this.revocationPropagation = Timer.builder("warden.revocation.propagation")
                .description(
                        "From a narrowing change (kill switch, suspension, revoked grant) committing to every live instance having applied it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        this.revocationUnconfirmed = Counter.builder("warden.revocation.unconfirmed")
                .description("Narrowing changes that some live instance had not confirmed within the bounded wait")
                .register(registry);
        Gauge.builder("warden.killswitch.selftest.last.success.timestamp", lastSelfTestSuccess, AtomicLong::get)
                .description(
                        "When the kill-switch self-test last passed on this instance (Unix seconds; 0 = not since start)")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
        Gauge.builder("warden.killswitch.selftest.last.failure.timestamp", lastSelfTestFailure, AtomicLong::get)
                .description(
                        "When the kill-switch self-test last failed on this instance (Unix seconds; 0 = not since start)")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
        for (String result :
                List.of("passed", "failed")) { // both series exist from the start, so increase() sees the first failure
            Counter.builder("warden.killswitch.selftest")
                    .tag("result", result)
                    .description("Kill-switch self-tests run, by result")
                    .register(registry);
        }
    }

    // ---- called by the gateway ----------------------------------------------------------------------

    /**
     * Runs one gateway call and counts it by tool, what the agent got ({@code PERMIT}: answered;
     * {@code DENY}: refused, with the first reason code; {@code ERROR}: an unexpected failure) — so a
     * call the policy permitted whose retrieval then failed counts as {@code DENY}
     * {@code RETRIEVAL_UNAVAILABLE}, as the agent saw it. Rate-limit refusals are also counted on their own.
     */
    public <T> T call(String tool, Supplier<T> call) {
        String toolLabel = bounded(tools, tool);
        try {
            T result = call.get();
            count(toolLabel, "PERMIT", NONE);
            return result;
        } catch (GatewayDenied denied) {
            String reason = denied.reasons().isEmpty() ? NONE : denied.reasons().getFirst();
            count(toolLabel, "DENY", bounded(reasons, reason));
            if (RATE_REASONS.contains(reason)) {
                registry.counter("warden.gateway.rate.limited", "tool", toolLabel, "reason", reason)
                        .increment();
            }
            throw denied;
        } catch (RuntimeException | Error e) {
            count(toolLabel, "ERROR", NONE);
            throw e;
        }
    }

    /** Asks the decision point, timing it, and counts a decision it could not make. */
    public Decision decide(PolicyDecisionPoint decisionPoint, DecisionInput input) {
        long started = System.nanoTime();
        Decision decision;
        try {
            decision = decisionPoint.decide(input);
        } finally {
            decisionLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        if (decision.reasons().contains(ReasonCodes.DECISION_UNAVAILABLE)) {
            decisionUnavailable.increment();
        }
        return decision;
    }

    /**
     * Exposes a running count of outcome records that were queued but never committed; the counter
     * reads it at each scrape. Micrometer holds {@code source} weakly: it must live as long as the
     * registry, as the gateway (a singleton) does.
     */
    public <T> void lostOutcomeRecords(T source, ToDoubleFunction<T> count) {
        FunctionCounter.builder("warden.audit.outcome.records.lost", source, count)
                .description(
                        "Gateway outcome records that were queued but could not be committed (each also logged as an error)")
                .register(registry);
    }

    /** The calls in flight on this instance and its limit: alert when the first stays at the second. */
    void admission(CallAdmission admission) {
        Gauge.builder("warden.gateway.calls.in.flight", admission, CallAdmission::inFlight)
                .description("Tool calls this instance is serving now (OVERLOADED refusals start at the limit)")
                .register(registry);
        Gauge.builder("warden.gateway.calls.limit", admission, CallAdmission::limit)
                .description("warden.gateway.max-concurrent-calls: the calls this instance serves at once")
                .register(registry);
    }

    // ---- called by revocation propagation and the kill-switch self-test -----------------------------

    /** A narrowing change reached every live instance; {@code took} from its commit to the last confirmation. */
    public void revocationApplied(Duration took) {
        revocationPropagation.record(took);
    }

    /** A narrowing change that some live instance had not confirmed within the bounded wait. */
    public void revocationUnconfirmed() {
        revocationUnconfirmed.increment();
    }

    /** One kill-switch self-test over every live instance ended; {@code took} is the whole test. */
    public void selfTest(boolean passed, Duration took) {
        String result = passed ? "passed" : "failed";
        registry.counter("warden.killswitch.selftest", "result", result).increment();
        Timer.builder("warden.killswitch.selftest.duration")
                .tag("result", result)
                .description("How long a kill-switch self-test took, by result")
                .register(registry)
                .record(took);
        (passed ? lastSelfTestSuccess : lastSelfTestFailure).set(clock.instant().getEpochSecond());
    }

    // -------------------------------------------------------------------------------------------------

    private void count(String tool, String decision, String reason) {
        registry.counter("warden.gateway.calls", "tool", tool, "decision", decision, "reason", reason)
                .increment();
    }

    /** The value itself while fewer than the cap have been seen and it looks like a key or code; else {@value #OTHER}. */
    private static String bounded(Set<String> seen, String value) {
        if (seen.contains(value)) {
            return value;
        }
        if (!LABEL.matcher(value).matches() || seen.size() >= MAX_LABEL_VALUES) {
            return OTHER;
        }
        seen.add(value);
        return value;
    }
}
