package io.warden.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AgentStatusTests {

    @Test
    void followsTheDocumentedMachine() {
        assertThat(AgentStatus.DRAFT.successors())
                .containsExactlyInAnyOrder(AgentStatus.PENDING_APPROVAL, AgentStatus.RETIRED);
        assertThat(AgentStatus.PENDING_APPROVAL.successors())
                .containsExactlyInAnyOrder(AgentStatus.ACTIVE, AgentStatus.DRAFT, AgentStatus.RETIRED);
        assertThat(AgentStatus.ACTIVE.successors())
                .containsExactlyInAnyOrder(AgentStatus.SUSPENDED, AgentStatus.RETIRED);
        assertThat(AgentStatus.SUSPENDED.successors())
                .containsExactlyInAnyOrder(AgentStatus.ACTIVE, AgentStatus.RETIRED);
    }

    @Test
    void retiredIsFinal() {
        for (AgentStatus target : AgentStatus.values()) {
            assertThat(AgentStatus.RETIRED.canMoveTo(target))
                    .as("RETIRED -> %s", target)
                    .isFalse();
        }
    }

    @Test
    void draftCannotSkipApproval() {
        assertThat(AgentStatus.DRAFT.canMoveTo(AgentStatus.ACTIVE)).isFalse();
        assertThat(EnumSet.allOf(AgentStatus.class))
                .allSatisfy(status -> assertThat(status.canMoveTo(status)).isFalse());
    }

    @Test
    void riskIsHighForPhiOrHighlyConfidentialScopes() {
        var deid = scope("a", SensitivityLabel.INTERNAL, false);
        var confidential = scope("b", SensitivityLabel.CONFIDENTIAL, false);
        var phi = scope("c", SensitivityLabel.INTERNAL, true);
        var secret = scope("d", SensitivityLabel.HIGHLY_CONFIDENTIAL, false);
        assertThat(RiskTier.of(List.of())).isEqualTo(RiskTier.LOW);
        assertThat(RiskTier.of(List.of(deid))).isEqualTo(RiskTier.LOW);
        assertThat(RiskTier.of(List.of(deid, confidential))).isEqualTo(RiskTier.MODERATE);
        assertThat(RiskTier.of(List.of(deid, phi))).isEqualTo(RiskTier.HIGH);
        assertThat(RiskTier.of(List.of(secret))).isEqualTo(RiskTier.HIGH);
        assertThat(RiskTier.HIGH.needsComplianceApproval()).isTrue();
        assertThat(RiskTier.MODERATE.needsComplianceApproval()).isFalse();
    }

    private static DataScopeView scope(String key, SensitivityLabel label, boolean phi) {
        return new DataScopeView(
                key, key, "", label, phi, !phi, new TreeSet<>(Set.of(PurposeOfUse.TREAT)), new TreeSet<>(), false, 1);
    }
}
