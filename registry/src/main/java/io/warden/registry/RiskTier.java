package io.warden.registry;

import java.util.Collection;

/**
 * How much harm an agent could do with the data it may touch: HIGH when any scope holds PHI or is highly
 * confidential (a compliance officer must approve it), MODERATE for confidential data, LOW otherwise.
 */
public enum RiskTier {
    LOW,
    MODERATE,
    HIGH;

    public static RiskTier of(Collection<DataScopeView> scopes) {
        RiskTier tier = LOW;
        for (DataScopeView scope : scopes) {
            if (scope.phi() || scope.sensitivity() == SensitivityLabel.HIGHLY_CONFIDENTIAL) {
                return HIGH;
            }
            if (scope.sensitivity() == SensitivityLabel.CONFIDENTIAL) {
                tier = MODERATE;
            }
        }
        return tier;
    }

    public boolean needsComplianceApproval() {
        return this == HIGH;
    }
}
