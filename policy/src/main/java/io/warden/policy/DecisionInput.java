package io.warden.policy;

import io.warden.registry.AgentStatus;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
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
        Instant time,
        @Nullable Person person) {

    /** A call that is the agent's alone. */
    public DecisionInput(
            Agent agent,
            Tool tool,
            Dataset dataset,
            @Nullable PurposeOfUse purposeOfUse,
            Request request,
            KillSwitches killSwitches,
            Instant time) {
        this(agent, tool, dataset, purposeOfUse, request, killSwitches, time, null);
    }

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
     * The person an agent's call serves (an on-behalf-of token), with what the directory-group mapping entitles them
     * to read.
     *
     * @param id           the person's directory object id
     * @param entitlements data scope key → the purposes of use the person holds on it
     * @param breakGlass   whether the person belongs to a break-glass group (may ask for emergency treatment, ETREAT)
     */
    public record Person(String id, Map<String, Set<PurposeOfUse>> entitlements, boolean breakGlass) {

        public Person {
            Objects.requireNonNull(id, "id");
            Map<String, Set<PurposeOfUse>> copy = new TreeMap<>();
            entitlements.forEach((scope, purposes) -> copy.put(scope, Set.copyOf(purposes)));
            entitlements = Collections.unmodifiableMap(copy);
        }
    }

    /**
     * The tool called.
     *
     * @param maxK             the most results one call may ask for
     * @param requiredScopes   data scopes an agent must hold to call it at all
     * @param sensitivity      the highest sensitivity of data it may return: a dataset above it is not served through it
     * @param approvalRequired every call waits for a person's approval of its exact arguments
     */
    public record Tool(
            String key, int maxK, Set<String> requiredScopes, SensitivityLabel sensitivity, boolean approvalRequired) {

        public Tool {
            requiredScopes = Set.copyOf(requiredScopes);
        }

        public Tool(String key, int maxK, Set<String> requiredScopes, SensitivityLabel sensitivity) {
            this(key, maxK, requiredScopes, sensitivity, false);
        }
    }

    /**
     * The dataset the call reads.
     *
     * @param deidentifyFor    the purposes for which the scope serves de-identified records only
     * @param approvalRequired every call on it waits for a person's approval of its exact arguments
     */
    public record Dataset(
            String key,
            SensitivityLabel sensitivity,
            boolean phi,
            boolean deidentified,
            Set<PurposeOfUse> allowedPurposes,
            Set<PurposeOfUse> deidentifyFor,
            boolean approvalRequired) {

        public Dataset {
            allowedPurposes = Set.copyOf(allowedPurposes);
            deidentifyFor = Set.copyOf(deidentifyFor);
        }

        public Dataset(
                String key,
                SensitivityLabel sensitivity,
                boolean phi,
                boolean deidentified,
                Set<PurposeOfUse> allowedPurposes,
                Set<PurposeOfUse> deidentifyFor) {
            this(key, sensitivity, phi, deidentified, allowedPurposes, deidentifyFor, false);
        }
    }

    /**
     * What the call asks for.
     *
     * @param justification why the caller asks (required for emergency treatment, ETREAT)
     * @param approved      the call carries a person's approval, still valid, of exactly these arguments
     */
    public record Request(int k, @Nullable String justification, boolean approved) {

        public Request(int k) {
            this(k, null, false);
        }
    }

    /** Which kill switches cover this call. */
    public record KillSwitches(boolean global, boolean agent, boolean tool, boolean dataset) {

        public static KillSwitches none() {
            return new KillSwitches(false, false, false, false);
        }
    }
}
