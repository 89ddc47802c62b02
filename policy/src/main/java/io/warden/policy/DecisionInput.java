package io.warden.policy;

import io.warden.registry.AgentStatus;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Everything a decision looks at (BRIEF.md §6), gathered by the gateway before it asks; the decision point
 * itself does no I/O. The same structure, as JSON, is OPA's {@code input}.
 */
public record DecisionInput(Agent agent, Tool tool, Dataset dataset, @Nullable PurposeOfUse purposeOfUse,
        Request request, KillSwitches killSwitches, Instant time) {

    public DecisionInput {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(killSwitches, "killSwitches");
        Objects.requireNonNull(time, "time");
    }

    /**
     * The calling agent as the registry knows it.
     *
     * @param clearance   the highest sensitivity it may read (the highest label among its granted scopes)
     * @param phiApproved whether its approval covered PHI (a compliance officer approved it)
     */
    public record Agent(String id, AgentStatus status, boolean ownerActive, Set<String> scopes, Set<String> tools,
            SensitivityLabel clearance, boolean phiApproved) {

        public Agent {
            scopes = Set.copyOf(scopes);
            tools = Set.copyOf(tools);
        }
    }

    /** The tool called, with the most results one call may ask for. */
    public record Tool(String key, int maxK) {
    }

    /**
     * The dataset the call reads.
     *
     * @param deidentificationRequired the scope requires results to be de-identified for this agent
     */
    public record Dataset(String key, SensitivityLabel sensitivity, boolean phi, boolean deidentified,
            Set<PurposeOfUse> allowedPurposes, boolean deidentificationRequired) {

        public Dataset {
            allowedPurposes = Set.copyOf(allowedPurposes);
        }
    }

    /** What the call asks for. */
    public record Request(int k) {
    }

    /** Which kill switches cover this call. */
    public record KillSwitches(boolean global, boolean agent, boolean tool, boolean dataset) {

        public static KillSwitches none() {
            return new KillSwitches(false, false, false, false);
        }
    }
}
