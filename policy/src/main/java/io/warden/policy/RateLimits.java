package io.warden.policy;

import io.swagger.v3.oas.annotations.media.Schema;
import io.warden.registry.AgentId;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Port to the gateway's rate limits and call quotas, per agent and tool, shared by every instance.
 *
 * <p>A limit is a rate (calls per second, with a burst) and optional daily and monthly call quotas that
 * reset at 00:00 UTC and on the first of the month. An admin sets a default per tool and may override it
 * for one agent and tool; with neither, the built-in default applies (configuration). {@link #admit} is the
 * gateway's hot path: it decides from a lease held on this instance and only sometimes reaches the shared
 * store, so the adapter says how far instances together may exceed the rate (its lease slack); quotas are
 * never exceeded. Changes are audited; each throws {@link RateLimitRefused} for a stale version. Thread-safe.
 */
public interface RateLimits {

    /**
     * Takes one call from the agent's allowance for the tool.
     *
     * @return {@link Admission.Admitted}, or {@link Admission.Refused} with {@link ReasonCodes#RATE_LIMITED},
     *         {@link ReasonCodes#QUOTA_EXHAUSTED} or, when the store cannot be reached, {@link ReasonCodes#RATE_LIMIT_UNAVAILABLE}
     *         (fail closed)
     */
    Admission admit(AgentId agent, String tool);

    /** The tool's default (or the built-in one) and every per-agent override of it. */
    ToolLimits toolLimits(String tool);

    /**
     * Sets the tool's default. Setting the values it already has changes nothing and records nothing.
     *
     * @param expectedVersion the version the caller read (0 when there was no default), or null to skip the check
     * @throws RateLimitRefused {@code stale-version} (409) when another change came first
     */
    Setting setToolDefault(String tool, Limit limit, @Nullable Long expectedVersion, String actorId);

    /** Sets the override for one agent and tool; same rules as {@link #setToolDefault}. */
    Setting setOverride(AgentId agent, String tool, Limit limit, @Nullable Long expectedVersion, String actorId);

    /** Removes an override; the agent falls back to the tool default. Returns false when there was none. */
    boolean removeOverride(AgentId agent, String tool, String actorId);

    /** The effective limits of an agent for each tool named, with this day's and month's use. */
    List<Usage> usage(AgentId agent, Collection<String> tools);

    /** The outcome of {@link #admit}. */
    sealed interface Admission permits Admission.Admitted, Admission.Refused {

        /** The call may go on. */
        record Admitted() implements Admission {}

        /** The call is refused; the caller may retry after {@code retryAfterSeconds} (0: unknown). */
        record Refused(String reason, long retryAfterSeconds) implements Admission {}
    }

    /**
     * A limit.
     *
     * @param ratePerSecond calls per second the bucket refills with, more than 0
     * @param burst         the most calls at once (the bucket's size), at least 1
     * @param dailyQuota    calls per UTC day; null for no quota
     * @param monthlyQuota  calls per UTC calendar month; null for no quota
     */
    @Schema(name = "RateLimit")
    record Limit(
            double ratePerSecond,
            int burst,
            @Nullable Long dailyQuota,
            @Nullable Long monthlyQuota) {

        public Limit {
            if (!(ratePerSecond > 0)
                    || Double.isInfinite(ratePerSecond)
                    || burst < 1
                    || (dailyQuota != null && dailyQuota < 0)
                    || (monthlyQuota != null && monthlyQuota < 0)) {
                throw new IllegalArgumentException(
                        "a limit needs a positive finite rate, a burst of at least 1 and quotas of "
                                + "at least 0; got " + ratePerSecond + ", " + burst + ", " + dailyQuota + ", "
                                + monthlyQuota);
            }
        }
    }

    /** Where an effective limit comes from. */
    @Schema(name = "RateLimitSource")
    enum Source {
        BUILT_IN,
        TOOL,
        AGENT
    }

    /** A stored setting and its version (for optimistic updates). */
    @Schema(name = "RateLimitSetting")
    record Setting(
            String tool, @Nullable AgentId agent, Limit limit, long version, String updatedBy, Instant updatedAt) {}

    /** A tool's effective default and its overrides. */
    record ToolLimits(String tool, Limit limit, Source source, long version, List<Setting> overrides) {}

    /** One quota period: the quota (null: none), calls counted so far, what remains (null: unlimited), when it resets. */
    @Schema(name = "QuotaUse")
    record Quota(@Nullable Long quota, long used, @Nullable Long remaining, Instant resetsAt) {}

    /**
     * An agent's effective limit for one tool and its use. {@code used} counts calls admitted and allowance
     * leased to instances but not spent yet (at most one lease per instance, returned when it expires).
     */
    record Usage(String tool, Limit limit, Source source, Quota daily, Quota monthly) {}
}
