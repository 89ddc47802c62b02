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
public record DecisionInput(
        Agent agent,
        Tool tool,
        Dataset dataset,
        @Nullable PurposeOfUse purposeOfUse,
        Request request,
        KillSwitches killSwitches,
        Instant time) {

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
     * @param purposes    the purposes of use it was granted (approved like its scopes)
     * @param clearance   the highest sensitivity it may read (the highest label among its granted scopes)
     * @param phiApproved whether a compliance officer approved its access to PHI on the dataset of this call
     */
    public record Agent(
            String id,
            AgentStatus status,
            boolean ownerActive,
            Set<String> scopes,
            Set<String> tools,
            Set<PurposeOfUse> purposes,
            SensitivityLabel clearance,
            boolean phiApproved) {

        public Agent {
            scopes = Set.copyOf(scopes);
            tools = Set.copyOf(tools);
            purposes = Set.copyOf(purposes);
        }
    }

    /**
     * The tool called.
     *
     * @param maxK           the most results one call may ask for
     * @param requiredScopes data scopes an agent must hold to call it at all
     * @param sensitivity    the highest sensitivity of data it may return: a dataset above it is not served through it
     */
    public record Tool(String key, int maxK, Set<String> requiredScopes, SensitivityLabel sensitivity) {

        public Tool {
            requiredScopes = Set.copyOf(requiredScopes);
        }
    }

    /**
     * The dataset the call reads.
     *
     * @param deidentifyFor the purposes for which the scope serves de-identified records only
     */
    public record Dataset(
            String key,
            SensitivityLabel sensitivity,
            boolean phi,
            boolean deidentified,
            Set<PurposeOfUse> allowedPurposes,
            Set<PurposeOfUse> deidentifyFor) {

        public Dataset {
            allowedPurposes = Set.copyOf(allowedPurposes);
            deidentifyFor = Set.copyOf(deidentifyFor);
        }
    }

    /** What the call asks for. */
    public record Request(int k) {}

    /** Which kill switches cover this call. */
    public record KillSwitches(boolean global, boolean agent, boolean tool, boolean dataset) {

        public static KillSwitches none() {
            return new KillSwitches(false, false, false, false);
        }
    }
}
