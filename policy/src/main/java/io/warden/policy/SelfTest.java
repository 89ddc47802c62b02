package io.warden.policy;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The kill-switch self-test: proves on every live instance that a kill switch still stops traffic. A run engages
 * a TOOL switch on the canary tool (a system-owned canary agent's only tool; an AGENT switch would open an
 * incident), each instance probes its own gateway with the canary until it is refused, the switch is released,
 * and each probes until the canary is served again. Runs are audited and kept. Thread-safe.
 */
public interface SelfTest {

    /** Runs the self-test now and returns its result; {@code actorId} is a person's id or {@code system:<name>}. */
    Result run(String actorId);

    /** The most recent runs, newest first. */
    List<Result> recent(int limit);

    default Optional<Result> last() {
        return recent(1).stream().findFirst();
    }

    /**
     * One run.
     *
     * @param passed whether every live instance refused within the bound and served the canary again after the release
     */
    @Schema(name = "SelfTestResult")
    record Result(
            UUID id,
            String startedBy,
            Instant startedAt,
            boolean passed,
            Duration took,
            Duration bound,
            List<Instance> instances) {

        public Result {
            instances = List.copyOf(instances);
        }
    }

    /**
     * One instance's part in a run.
     *
     * @param refused   from the engagement to this instance's gateway refusing the canary; null if it never did
     * @param recovered from the release to this instance's gateway serving the canary again; null if it never did
     * @param problem   why it failed, in words; null when it passed
     */
    @Schema(name = "SelfTestInstance")
    record Instance(
            String name,
            boolean passed,
            @Nullable Duration refused,
            @Nullable Duration recovered,
            @Nullable String problem) {}
}
