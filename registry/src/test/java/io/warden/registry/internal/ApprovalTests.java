package io.warden.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.ApprovalId;
import io.warden.registry.ApprovalKind;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.Commands;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ApprovalTests {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private final Actor requester = Actor.person("admin-a", Set.of(Role.ADMIN));
    private final Actor otherAdmin = Actor.person("admin-b", Set.of(Role.ADMIN));
    private final Actor compliance = Actor.person("compliance-c", Set.of(Role.COMPLIANCE));

    private Approval approval(boolean requiresCompliance) {
        var change = new Commands.RequestChange(
                new TreeSet<>(Set.of("dermatology-phi")),
                new TreeSet<>(),
                new TreeSet<>(),
                new TreeSet<>(),
                new TreeSet<>(),
                new TreeSet<>(),
                "needs PHI");
        return Approval.request(
                new ApprovalId(UUID.randomUUID()),
                new AgentId(UUID.randomUUID()),
                ApprovalKind.CHANGE,
                change,
                requiresCompliance,
                "owner-o",
                requester,
                NOW);
    }

    @Test
    void denyWhenApproverIsTheRequester() {
        Approval approval = approval(false);
        assertThatThrownBy(() -> approval.approve(requester, "owner-o", "ok", NOW))
                .isInstanceOfSatisfying(
                        RegistryException.AccessRuleViolated.class,
                        e -> assertThat(e.properties()).containsEntry("rule", "approver-is-not-requester"));
        assertThat(approval.status()).isEqualTo(ApprovalStatus.PENDING);
    }

    @Test
    void denyWhenApproverOwnsTheAgent() {
        Approval approval = approval(false);
        assertThatThrownBy(() -> approval.approve(otherAdmin, otherAdmin.id(), "ok", NOW))
                .isInstanceOfSatisfying(
                        RegistryException.AccessRuleViolated.class,
                        e -> assertThat(e.properties()).containsEntry("rule", "approver-is-not-owner"));
    }

    @Test
    void denyWhenApproverOwnedTheAgentWhenItWasRequestedThoughOwnersChangedSince() {
        Approval approval = approval(false);
        Actor formerOwner = Actor.person("owner-o", Set.of(Role.ADMIN));
        approval.ownerChanged(otherAdmin.id());
        assertThat(approval.view().ownersSinceRequest()).containsExactly("admin-b", "owner-o");
        // the agent is now owned by someone else again: neither earlier owner may decide
        assertThatThrownBy(() -> approval.approve(formerOwner, "owner-z", "ok", NOW))
                .isInstanceOfSatisfying(
                        RegistryException.AccessRuleViolated.class,
                        e -> assertThat(e.properties()).containsEntry("rule", "approver-is-not-owner"));
        assertThatThrownBy(() -> approval.reject(otherAdmin, "owner-z", "no", NOW))
                .isInstanceOfSatisfying(
                        RegistryException.AccessRuleViolated.class,
                        e -> assertThat(e.properties()).containsEntry("rule", "approver-is-not-owner"));
        approval.approve(compliance, "owner-z", "ok", NOW);
        assertThat(approval.status()).isEqualTo(ApprovalStatus.APPROVED);
    }

    @Test
    void complianceOnceNeededStaysNeededAndAnAdminIsRefused() {
        Approval approval = approval(false);
        approval.complianceNeeded(true);
        approval.complianceNeeded(false);
        assertThat(approval.requiresCompliance()).isTrue();
        assertThatThrownBy(() -> approval.approve(otherAdmin, "owner-o", "ok", NOW))
                .isInstanceOfSatisfying(
                        RegistryException.AccessRuleViolated.class,
                        e -> assertThat(e.properties()).containsEntry("rule", "phi-needs-compliance-approver"));
    }

    @Test
    void denyWhenPhiApprovalIsNotDecidedByCompliance() {
        Approval approval = approval(true);
        assertThatThrownBy(() -> approval.approve(otherAdmin, "owner-o", "ok", NOW))
                .isInstanceOfSatisfying(
                        RegistryException.AccessRuleViolated.class,
                        e -> assertThat(e.properties()).containsEntry("rule", "phi-needs-compliance-approver"));
        approval.approve(compliance, "owner-o", "reviewed the DPIA", NOW);
        assertThat(approval.status()).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(approval.decidedBy()).isEqualTo(compliance.id());
    }

    @Test
    void aDecidedApprovalCannotBeDecidedAgain() {
        Approval approval = approval(false);
        approval.reject(otherAdmin, "owner-o", "not justified", NOW);
        assertThatThrownBy(() -> approval.approve(compliance, "owner-o", "ok", NOW))
                .isInstanceOfSatisfying(
                        RegistryException.Conflict.class,
                        e -> assertThat(e.code()).isEqualTo("approval-already-decided"));
    }

    @Test
    void appliesAdditionsAndRemovals() {
        var change = new Commands.RequestChange(
                new TreeSet<>(Set.of("b")),
                new TreeSet<>(Set.of("a")),
                new TreeSet<>(Set.of("classify")),
                new TreeSet<>(),
                new TreeSet<>(Set.of(PurposeOfUse.HRESCH)),
                new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                "swap");
        Approval approval = Approval.request(
                new ApprovalId(UUID.randomUUID()),
                new AgentId(UUID.randomUUID()),
                ApprovalKind.CHANGE,
                change,
                false,
                "owner-o",
                requester,
                NOW);
        assertThat(approval.applyTo(new TreeSet<>(Set.of("a", "c")), true)).containsExactly("b", "c");
        assertThat(approval.applyTo(new TreeSet<>(), false)).containsExactly("classify");
        assertThat(approval.applyToPurposes(new TreeSet<>(Set.of(PurposeOfUse.TREAT, PurposeOfUse.HOPERAT))))
                .containsExactly(PurposeOfUse.HOPERAT, PurposeOfUse.HRESCH);
    }
}
