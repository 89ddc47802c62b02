package io.warden.lifecycle;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The lifecycle rules as other modules (the portal, the benchmarks) read, change and sweep them; the same checks as
 * the API.
 */
public interface LifecycleRuleBook {

    List<LifecycleRule> rules();

    /** @throws WorkflowRefused {@code not-found} for an unknown rule */
    LifecycleRule rule(String key);

    /**
     * Switches a rule and sets its parameters; {@code version} must be the one read.
     *
     * @throws WorkflowRefused {@code invalid-field} naming the bad parameter, {@code stale-version} when the version is stale
     */
    LifecycleRule update(String key, boolean enabled, Map<String, Object> parameters, long version, String actorId);

    /** A sweep as of this moment, by the injected clock. */
    Sweep sweepNow();

    /**
     * Evaluates every enabled rule as of {@code now} and starts the processes they call for. One instance sweeps at a
     * time: when another holds the sweep, this one returns at once with {@link Sweep#skipped()} set.
     */
    Sweep sweep(Instant now);

    /** What a sweep did: processes started per rule, and whether another instance was sweeping already. */
    @Schema(name = "LifecycleSweep")
    record Sweep(Map<String, Integer> started, boolean skipped, long millis) {}
}
