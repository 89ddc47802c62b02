package io.warden.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What-if replay of a policy change: the recorded decisions of a time range decided again, through the configured
 * decision point, with a candidate's rules applied to each recorded input, and compared with what was decided. It
 * decides nothing live and changes nothing but the audit trail, which records each simulation. Thread-safe.
 */
public interface PolicySimulations {

    /** The longest range one simulation replays. */
    Duration MAX_RANGE = Duration.ofDays(92);

    /** The most examples asked for per group of identical recorded decisions. */
    int MAX_EXAMPLES = 20;

    /**
     * A simulation to run.
     *
     * @param from        the first instant replayed (inclusive)
     * @param to          the end of the range (exclusive), after {@code from} and at most {@link #MAX_RANGE} later
     * @param candidate   the rules to try, a patch over the current policy data
     * @param examples    how many records to name per group of identical recorded decisions that flips (1 to
     *                    {@link #MAX_EXAMPLES})
     * @param description why it is run, for the audit trail (may be null)
     * @param personId    who runs it: the audit record's actor
     */
    record Simulation(
            Instant from,
            Instant to,
            PolicyCandidate candidate,
            int examples,
            @Nullable String description,
            String personId) {

        public Simulation {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(candidate, "candidate");
            Objects.requireNonNull(personId, "personId");
            if (!to.isAfter(from)) {
                throw SimulationRefused.invalid("to", "to must be after from");
            }
            if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
                throw SimulationRefused.invalid(
                        "to", "A simulation replays at most " + MAX_RANGE.toDays() + " days; narrow the range");
            }
            if (examples < 1 || examples > MAX_EXAMPLES) {
                throw SimulationRefused.invalid("examples", "examples must be 1 to " + MAX_EXAMPLES);
            }
        }
    }

    /**
     * Replays the range and reports the flips; records a {@code policy.simulated} audit record.
     *
     * @throws SimulationRefused {@code invalid-field} for a candidate that does not fit the current policy,
     *     {@code decision-point-unavailable} when the decision point fails on any input (never a partial report)
     */
    SimulationReport simulate(Simulation simulation);
}
