package io.warden.policy;

import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A change of the policy's rules to try before making it: a patch over one {@link PolicyData} version naming the data
 * scopes and tools it changes and, of each, only the rule fields it changes; a field not given keeps the version's
 * value. Immutable.
 *
 * @param dataScopes data scope key → the rules it changes (none when null or absent)
 * @param tools      tool key → the rules it changes (none when null or absent)
 */
public record PolicyCandidate(Map<String, ScopePatch> dataScopes, Map<String, ToolPatch> tools) {

    /** The largest {@code maxK} a tool may have, as in the registry. */
    public static final int MAX_K = 10_000;

    public PolicyCandidate {
        dataScopes = present(dataScopes);
        tools = present(tools);
    }

    /** A data scope's rule fields to change; null keeps the current value. */
    public record ScopePatch(
            @Nullable List<PurposeOfUse> allowedPurposes,
            @Nullable List<PurposeOfUse> deidentifyFor,
            @Nullable SensitivityLabel sensitivity,
            @Nullable Boolean phi,
            @Nullable Boolean deidentified,
            @Nullable Boolean approvalRequired) {}

    /** A tool's rule fields to change; null keeps the current value. */
    public record ToolPatch(
            @Nullable Integer maxK,
            @Nullable List<String> requiredScopes,
            @Nullable SensitivityLabel sensitivity,
            @Nullable Boolean approvalRequired) {}

    /**
     * The version's rules with this patch over them; the result keeps {@code base}'s version number and time (it is
     * not a version, only a trial of one).
     *
     * @param field the request field this candidate came in, for the paths of refusals (e.g. {@code candidate})
     * @throws SimulationRefused naming the field at fault when the patch names a scope or tool {@code base} does not
     *     know, a maxK out of 1 to {@link #MAX_K}, a required scope that does not exist, de-identification for a purpose
     *     the scope does not serve, or a scope both PHI and de-identified
     */
    public PolicyData over(PolicyData base, String field) {
        Map<String, PolicyData.ScopeRules> scopes = new HashMap<>(base.dataScopes());
        dataScopes().forEach((key, patch) -> {
            String at = field + ".dataScopes." + key;
            PolicyData.ScopeRules current = base.dataScopes().get(key);
            if (current == null) {
                throw SimulationRefused.invalid(at, "No data scope '" + key + "' in the current policy");
            }
            Set<PurposeOfUse> allowed = patch.allowedPurposes() == null
                    ? current.allowedPurposes()
                    : purposes(patch.allowedPurposes(), at + ".allowedPurposes");
            Set<PurposeOfUse> deidentify = patch.deidentifyFor() == null
                    ? current.deidentifyFor()
                    : purposes(patch.deidentifyFor(), at + ".deidentifyFor");
            if (!allowed.containsAll(deidentify)) {
                throw SimulationRefused.invalid(
                        at + ".deidentifyFor",
                        "De-identification is only for purposes the scope serves: " + deidentify + " is not within "
                                + allowed);
            }
            var rules = new PolicyData.ScopeRules(
                    patch.sensitivity() == null ? current.sensitivity() : patch.sensitivity(),
                    patch.phi() == null ? current.phi() : patch.phi(),
                    patch.deidentified() == null ? current.deidentified() : patch.deidentified(),
                    allowed,
                    deidentify,
                    patch.approvalRequired() == null ? current.approvalRequired() : patch.approvalRequired());
            if (rules.phi() && rules.deidentified()) {
                throw SimulationRefused.invalid(
                        at + (patch.deidentified() != null ? ".deidentified" : ".phi"),
                        "A data scope is never both PHI and de-identified");
            }
            scopes.put(key, rules);
        });
        Map<String, PolicyData.ToolRules> tools = new HashMap<>(base.tools());
        tools().forEach((key, patch) -> {
            String at = field + ".tools." + key;
            PolicyData.ToolRules current = base.tools().get(key);
            if (current == null) {
                throw SimulationRefused.invalid(at, "No tool '" + key + "' in the current policy");
            }
            if (patch.maxK() != null && (patch.maxK() < 1 || patch.maxK() > MAX_K)) {
                throw SimulationRefused.invalid(at + ".maxK", "maxK must be 1 to " + MAX_K + ": " + patch.maxK());
            }
            Set<String> required = current.requiredScopes();
            if (patch.requiredScopes() != null) {
                required = new LinkedHashSet<>();
                for (int i = 0; i < patch.requiredScopes().size(); i++) {
                    String scope = patch.requiredScopes().get(i);
                    if (scope == null || !base.dataScopes().containsKey(scope)) {
                        throw SimulationRefused.invalid(
                                at + ".requiredScopes[" + i + "]",
                                "No data scope '" + scope + "' in the current policy");
                    }
                    required.add(scope);
                }
            }
            tools.put(
                    key,
                    new PolicyData.ToolRules(
                            patch.maxK() == null ? current.maxK() : patch.maxK(),
                            required,
                            patch.sensitivity() == null ? current.sensitivity() : patch.sensitivity(),
                            patch.approvalRequired() == null ? current.approvalRequired() : patch.approvalRequired()));
        });
        return new PolicyData(base.version(), base.recordedAt(), scopes, tools);
    }

    private static Set<PurposeOfUse> purposes(List<PurposeOfUse> purposes, String at) {
        Set<PurposeOfUse> set = new LinkedHashSet<>();
        for (int i = 0; i < purposes.size(); i++) {
            PurposeOfUse purpose = purposes.get(i);
            if (purpose == null) {
                throw SimulationRefused.invalid(at + "[" + i + "]", "A purpose of use is required");
            }
            set.add(purpose);
        }
        return set;
    }

    /** Absent and null members of the request's JSON mean "no change". */
    private static <V> Map<String, V> present(@Nullable Map<String, V> patches) {
        if (patches == null) {
            return Map.of();
        }
        Map<String, V> copy = new HashMap<>();
        patches.forEach((key, value) -> {
            if (key != null && value != null) {
                copy.put(key, value);
            }
        });
        return Map.copyOf(copy);
    }
}
