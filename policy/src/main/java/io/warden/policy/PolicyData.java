package io.warden.policy;

import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rules of the policy that admins tune, one version of them: per data scope its sensitivity label, PHI and
 * de-identified flags, the purposes of use it serves, the purposes it serves de-identified only, and whether each
 * call waits for a person's approval; per tool its maximum k, required scopes, sensitivity and approval flag. The
 * registry holds them (every change to a data scope or a tool is a new version, numbered like every policy change);
 * what is not here (agents' grants and statuses, people's entitlements, kill switches, the request) is a fact of the
 * call, not a rule. The decision point's own rules are versioned with the release ({@code policyVersion} of the
 * decision JSON, or the OPA bundle's revision).
 *
 * <p>{@link #apply(DecisionInput)} puts these rules into a decision input gathered under other rules: the same call
 * decided on this version. That is how a candidate is tried against recorded decisions.
 *
 * @param version    the policy change number that produced this version (0 before any change)
 * @param recordedAt when it was recorded
 * @param dataScopes data scope key → its rules
 * @param tools      tool key → its rules
 */
public record PolicyData(
        long version, Instant recordedAt, Map<String, ScopeRules> dataScopes, Map<String, ToolRules> tools) {

    public PolicyData {
        Objects.requireNonNull(recordedAt, "recordedAt");
        dataScopes = Collections.unmodifiableMap(new TreeMap<>(dataScopes));
        tools = Collections.unmodifiableMap(new TreeMap<>(tools));
    }

    /** A data scope's rules; see {@link DecisionInput.Dataset}. */
    public record ScopeRules(
            SensitivityLabel sensitivity,
            boolean phi,
            boolean deidentified,
            Set<PurposeOfUse> allowedPurposes,
            Set<PurposeOfUse> deidentifyFor,
            boolean approvalRequired) {

        public ScopeRules {
            Objects.requireNonNull(sensitivity, "sensitivity");
            allowedPurposes = Set.copyOf(allowedPurposes);
            deidentifyFor = Set.copyOf(deidentifyFor);
        }
    }

    /** A tool's rules; see {@link DecisionInput.Tool}. */
    public record ToolRules(
            int maxK, Set<String> requiredScopes, SensitivityLabel sensitivity, boolean approvalRequired) {

        public ToolRules {
            Objects.requireNonNull(sensitivity, "sensitivity");
            requiredScopes = Set.copyOf(requiredScopes);
        }
    }

    /**
     * The input with this version's rules for its data scope and tool, and the agent's clearance recomputed from this
     * version's labels of the scopes it holds (the highest of them, as the gateway computes it). A scope or tool this
     * version does not know keeps the input's own rules: a rule cannot be tried on what it does not name.
     */
    public DecisionInput apply(DecisionInput input) {
        var dataset = input.dataset();
        ScopeRules scope = dataScopes.get(dataset.key());
        var appliedDataset = scope == null
                ? dataset
                : new DecisionInput.Dataset(
                        dataset.key(),
                        scope.sensitivity(),
                        scope.phi(),
                        scope.deidentified(),
                        scope.allowedPurposes(),
                        scope.deidentifyFor(),
                        scope.approvalRequired());
        var tool = input.tool();
        ToolRules rules = tools.get(tool.key());
        var appliedTool = rules == null
                ? tool
                : new DecisionInput.Tool(
                        tool.key(),
                        rules.maxK(),
                        rules.requiredScopes(),
                        rules.sensitivity(),
                        rules.approvalRequired());
        var agent = input.agent();
        SensitivityLabel clearance = SensitivityLabel.PUBLIC;
        boolean known = true;
        for (String key : agent.scopes()) {
            ScopeRules held = dataScopes.get(key);
            if (held == null) {
                known = false;
                break;
            }
            if (held.sensitivity().atLeast(clearance)) {
                clearance = held.sensitivity();
            }
        }
        var appliedAgent = !known || clearance == agent.clearance()
                ? agent
                : new DecisionInput.Agent(
                        agent.id(),
                        agent.status(),
                        agent.ownerActive(),
                        agent.scopes(),
                        agent.tools(),
                        agent.purposes(),
                        clearance,
                        agent.phiApproved());
        if (appliedDataset == dataset && appliedTool == tool && appliedAgent == agent) {
            return input;
        }
        return new DecisionInput(
                appliedAgent,
                appliedTool,
                appliedDataset,
                input.purposeOfUse(),
                input.request(),
                input.killSwitches(),
                input.time(),
                input.person());
    }
}
