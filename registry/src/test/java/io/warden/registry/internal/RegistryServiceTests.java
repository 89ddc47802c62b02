package io.warden.registry.internal;

import static io.warden.registry.AgentFilters.anyAgent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.registry.Actor;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentUpdates;
import io.warden.registry.AgentView;
import io.warden.registry.Agents;
import io.warden.registry.ApprovalKind;
import io.warden.registry.ApprovalQueries;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.ApprovalView;
import io.warden.registry.Approvals;
import io.warden.registry.Catalog;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Commands;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.RiskTier;
import io.warden.registry.Role;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.events.AgentGrantsChanged;
import io.warden.registry.events.AgentPhiApproved;
import io.warden.registry.events.AgentRegistered;
import io.warden.registry.events.AgentStatusChanged;
import io.warden.registry.events.ApprovalRequested;
import io.warden.registry.events.DataScopeSaved;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;

/** The registry's use cases against a real PostgreSQL: rules, transactions, locking and events. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@RecordApplicationEvents
class RegistryServiceTests {

    @Autowired
    Agents agents;

    @Autowired
    AgentQueries agentQueries;

    @Autowired
    Approvals approvals;

    @Autowired
    ApprovalQueries approvalQueries;

    @Autowired
    Catalog catalog;

    @Autowired
    CatalogQueries catalogQueries;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ApplicationEvents events;

    static final Actor ONBOARDING = Actor.system("lifecycle-workflows");

    private Actor admin;
    private Actor owner;
    private Actor compliance;
    private Actor secops;
    private String suffix;

    @BeforeEach
    void people() {
        suffix = UUID.randomUUID().toString().substring(0, 8);
        admin = person("admin", Role.ADMIN);
        owner = person("owner", Role.OWNER);
        compliance = person("compliance", Role.COMPLIANCE);
        secops = person("secops", Role.SECOPS);
        scope("ct-deid", SensitivityLabel.INTERNAL, false);
        scope("derm-phi", SensitivityLabel.HIGHLY_CONFIDENTIAL, true);
        tool("image-search");
        tool("classify");
    }

    @Test
    void registeringWithSubmitCreatesAPendingRegistrationApproval() {
        AgentView agent = register("CT retrieval", Set.of("ct-deid"), Set.of("image-search"), owner);

        assertThat(agent.status()).isEqualTo(AgentStatus.PENDING_APPROVAL);
        assertThat(agent.ownerId()).isEqualTo(owner.id());
        assertThat(agent.dataScopes()).as("nothing is granted before approval").isEmpty();
        ApprovalView approval = pending(agent);
        assertThat(approval.kind()).isEqualTo(ApprovalKind.REGISTRATION);
        assertThat(approval.addScopes()).containsExactly(key("ct-deid"));
        assertThat(approval.requiresCompliance()).isFalse();
        assertThat(events.stream(AgentRegistered.class)).hasSize(1);
        assertThat(events.stream(AgentStatusChanged.class))
                .anySatisfy(e -> assertThat(e.to()).isEqualTo(AgentStatus.PENDING_APPROVAL));
        assertThat(events.stream(ApprovalRequested.class)).hasSize(1);
    }

    @Test
    void anApprovedRegistrationWaitsForOnboardingWhichActivatesTheAgentWithItsGrants() {
        AgentView agent = register("CT retrieval", Set.of("ct-deid"), Set.of("image-search"), owner);

        approvals.approve(pending(agent).id(), "fits the data protection assessment", admin);
        assertThat(agentQueries.get(agent.id()).status())
                .as("the identity is provisioned first")
                .isEqualTo(AgentStatus.PENDING_APPROVAL);
        assertThatThrownBy(() -> agents.activate(agent.id(), owner))
                .satisfies(e -> assertThat(((RegistryException) e).properties())
                        .containsEntry("rule", "activation-by-onboarding"));

        agents.activate(agent.id(), ONBOARDING);
        assertThat(agents.activate(agent.id(), ONBOARDING).status())
                .as("idempotent")
                .isEqualTo(AgentStatus.ACTIVE);
        AgentView active = agentQueries.get(agent.id());
        assertThat(active.status()).isEqualTo(AgentStatus.ACTIVE);
        assertThat(active.dataScopes()).containsExactly(key("ct-deid"));
        assertThat(active.tools()).containsExactly(key("image-search"));
        assertThat(active.approvedAt()).isNotNull();
        assertThat(active.recertifyBy()).isAfter(active.approvedAt());
        assertThat(events.stream(AgentGrantsChanged.class)).hasSize(1);
    }

    @Test
    void phiRegistrationNeedsACompliancePersonAndNeverTheOwner() {
        AgentView agent = register("Derm classifier", Set.of("derm-phi"), Set.of("classify"), owner);
        ApprovalView approval = pending(agent);
        assertThat(approval.requiresCompliance()).isTrue();
        assertThat(agent.riskTier()).isEqualTo(RiskTier.HIGH);

        assertThatThrownBy(() -> approvals.approve(approval.id(), "ok", admin))
                .hasFieldOrPropertyWithValue("code", "access-rule-violated")
                .satisfies(e -> assertThat(((RegistryException) e).properties())
                        .containsEntry("rule", "phi-needs-compliance-approver"));
        assertThatThrownBy(() -> approvals.approve(approval.id(), "ok", owner))
                .satisfies(e -> assertThat(((RegistryException) e).properties())
                        .containsEntry("rule", "approver-is-not-requester"));

        approvals.approve(approval.id(), "DPIA reviewed", compliance);
        assertThat(agents.activate(agent.id(), ONBOARDING).status()).isEqualTo(AgentStatus.ACTIVE);
    }

    @Test
    void anAdminWhoOwnsTheAgentCannotApproveIt() {
        AgentView agent = register("Admin's own agent", Set.of("ct-deid"), Set.of(), owner, admin.id(), admin);
        Actor otherAdmin = person("admin2", Role.ADMIN);
        // requested by the admin, owned by the admin: another admin decides
        assertThatThrownBy(() -> approvals.approve(pending(agent).id(), "ok", admin))
                .satisfies(e -> assertThat(((RegistryException) e).properties())
                        .containsEntry("rule", "approver-is-not-requester"));
        approvals.approve(pending(agent).id(), "ok", otherAdmin);
        assertThat(agents.activate(agent.id(), ONBOARDING).status()).isEqualTo(AgentStatus.ACTIVE);
    }

    @Test
    void wardenRejectsOnItsOwnButNeverApproves() {
        AgentView agent = register("Unanswered", Set.of("derm-phi"), Set.of(), owner);
        assertThatThrownBy(() -> approvals.approve(pending(agent).id(), "ok", ONBOARDING))
                .satisfies(
                        e -> assertThat(((RegistryException) e).properties()).containsEntry("rule", "people-approve"));
        approvals.reject(pending(agent).id(), "no decision within 14 days", ONBOARDING);
        assertThat(agentQueries.get(agent.id()).status()).isEqualTo(AgentStatus.DRAFT);
    }

    @Test
    void recertificationMovesTheNextDueDateAndAnIdentityIsAssignedOnce() {
        AgentView agent = active("Recertified");
        AgentView recertified = agents.recertify(agent.id(), owner);
        assertThat(recertified.recertifyBy()).isAfter(agent.recertifyBy());
        agents.assignIdentity(agent.id(), "client-" + suffix, ONBOARDING);
        assertThat(agents.assignIdentity(agent.id(), "client-" + suffix, ONBOARDING)
                        .clientId())
                .isEqualTo("client-" + suffix);
        assertThatThrownBy(() -> agents.assignIdentity(agent.id(), "another-" + suffix, ONBOARDING))
                .hasFieldOrPropertyWithValue("code", "identity-already-assigned");
    }

    @Test
    void rejectingARegistrationReturnsTheAgentToDraft() {
        AgentView agent = register("Too broad", Set.of("ct-deid"), Set.of(), owner);
        approvals.reject(pending(agent).id(), "purpose too vague", admin);
        AgentView draft = agentQueries.get(agent.id());
        assertThat(draft.status()).isEqualTo(AgentStatus.DRAFT);
        assertThat(approvalQueries
                        .approvals(ApprovalStatus.REJECTED, agent.id(), 0, 10)
                        .items())
                .singleElement()
                .satisfies(a -> assertThat(a.decisionReason()).isEqualTo("purpose too vague"));
        // corrected and resubmitted
        agents.submit(agent.id(), owner);
        assertThat(agentQueries.get(agent.id()).status()).isEqualTo(AgentStatus.PENDING_APPROVAL);
    }

    @Test
    void suspendReinstateRetireAndRetiredIsFinal() {
        AgentView agent = active("Lifecycle");
        assertThat(agents.suspend(agent.id(), "denial burst", secops).status()).isEqualTo(AgentStatus.SUSPENDED);
        assertThat(agents.reinstate(agent.id(), "investigated", admin).status()).isEqualTo(AgentStatus.ACTIVE);
        assertThat(agents.retire(agent.id(), "study finished", owner).status()).isEqualTo(AgentStatus.RETIRED);
        assertThatThrownBy(() -> agents.reinstate(agent.id(), "oops", admin))
                .isInstanceOf(RegistryException.IllegalStatusTransition.class)
                .hasMessageContaining("is RETIRED");
    }

    @Test
    void retiringWithdrawsTheWaitingApproval() {
        AgentView agent = register("Abandoned", Set.of("ct-deid"), Set.of(), owner);
        agents.retire(agent.id(), "no longer needed", owner);
        assertThat(approvalQueries.approvals(null, agent.id(), 0, 10).items())
                .singleElement()
                .satisfies(a -> assertThat(a.status()).isEqualTo(ApprovalStatus.WITHDRAWN));
    }

    @Test
    void ownersActOnlyOnTheirOwnAgents() {
        AgentView agent = register("Owned", Set.of("ct-deid"), Set.of(), owner);
        Actor otherOwner = person("owner2", Role.OWNER);
        assertThatThrownBy(() -> agents.retire(agent.id(), "mine now", otherOwner))
                .satisfies(e -> assertThat(((RegistryException) e).properties())
                        .containsEntry("rule", "owner-acts-on-own-agents"));
        assertThatThrownBy(() -> register("For someone else", Set.of(), Set.of(), otherOwner, owner.id(), otherOwner))
                .satisfies(e -> assertThat(((RegistryException) e).properties())
                        .containsEntry("rule", "owner-acts-on-own-agents"));
    }

    @Test
    void aDisabledOrUnknownOwnerIsRefusedByField() {
        jdbc.sql("update directory_user set account_enabled = false where id = :id")
                .param("id", owner.id())
                .update();
        assertThatThrownBy(() -> register("Orphan", Set.of(), Set.of(), admin, owner.id(), admin))
                .isInstanceOfSatisfying(RegistryException.InvalidField.class, e -> {
                    assertThat(e.field()).isEqualTo("ownerId");
                    assertThat(e.getMessage()).contains("disabled");
                });
        assertThatThrownBy(() -> register("Nobody's", Set.of(), Set.of(), admin, "no-such-person", admin))
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("ownerId"));
    }

    @Test
    void aFailedRegistrationWritesNothing() {
        String name = "Half written " + suffix;
        assertThatThrownBy(() -> agents.register(
                        command(name, Set.of(key("ct-deid"), "no-such-scope"), Set.of()), "key-" + suffix, owner))
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("dataScopes"));
        assertThat(jdbc.sql("select count(*) from agent where name = :name")
                        .param("name", name)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("select count(*) from idempotency_key where key = :key")
                        .param("key", "key-" + suffix)
                        .query(Long.class)
                        .single())
                .as("the idempotency claim rolls back with the rest")
                .isZero();
    }

    @Test
    void theSameIdempotencyKeyReplaysTheFirstRegistration() {
        var command = command("Idempotent " + suffix, Set.of(key("ct-deid")), Set.of());
        var first = agents.register(command, "key-" + suffix, owner);
        var second = agents.register(command, "key-" + suffix, owner);
        assertThat(first.replayed()).isFalse();
        assertThat(second.replayed()).isTrue();
        assertThat(second.agent().id()).isEqualTo(first.agent().id());

        var different = command("Something else " + suffix, Set.of(), Set.of());
        assertThatThrownBy(() -> agents.register(different, "key-" + suffix, owner))
                .isInstanceOf(RegistryException.IdempotencyKeyReused.class);
    }

    @Test
    void concurrentRequestsUnderOneIdempotencyKeyCreateOneAgent() throws Exception {
        var command = command("Concurrent " + suffix, Set.of(key("ct-deid")), Set.of());
        List<Callable<Agents.Registration>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(() -> agents.register(command, "race-" + suffix, owner));
        }
        List<Agents.Registration> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            for (Future<Agents.Registration> future : pool.invokeAll(calls)) {
                results.add(future.get());
            }
        }
        assertThat(results)
                .extracting(r -> r.agent().id())
                .containsOnly(results.getFirst().agent().id());
        assertThat(results).filteredOn(r -> !r.replayed()).hasSize(1);
        assertThat(jdbc.sql("select count(*) from agent where name = :name")
                        .param("name", "Concurrent " + suffix)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void aStaleVersionIsAConflictThatNamesTheCurrentVersion() {
        AgentView agent = register("Versioned", Set.of(), Set.of(), owner);
        var update = AgentUpdates.anUpdate("Versioned v2", "new purpose", agent.version())
                .build();
        AgentView updated = agents.update(agent.id(), update, owner);
        assertThat(updated.version()).isEqualTo(agent.version() + 1);
        assertThatThrownBy(() -> agents.update(agent.id(), update, owner))
                .isInstanceOfSatisfying(
                        RegistryException.StaleVersion.class,
                        e -> assertThat(e.properties()).containsEntry("currentVersion", updated.version()));
    }

    @Test
    void namesAreUniqueAmongLiveAgents() {
        register("Twin " + suffix, Set.of(), Set.of(), owner);
        assertThatThrownBy(() -> register("twin " + suffix, Set.of(), Set.of(), owner))
                .isInstanceOfSatisfying(
                        RegistryException.AlreadyExists.class,
                        e -> assertThat(e.field()).isEqualTo("name"));
    }

    @Test
    void changeRequestsAddAndRemoveGrantsOnceApproved() {
        AgentView agent = active("Changing");
        ApprovalView request = approvals.requestChange(
                agent.id(),
                new Commands.RequestChange(
                        new TreeSet<>(Set.of(key("derm-phi"))),
                        new TreeSet<>(Set.of(key("ct-deid"))),
                        new TreeSet<>(Set.of(key("classify"))),
                        new TreeSet<>(),
                        none(),
                        none(),
                        "move to dermatology"),
                owner);
        assertThat(request.requiresCompliance()).isTrue();
        assertThatThrownBy(() -> approvals.requestChange(
                        agent.id(),
                        new Commands.RequestChange(
                                new TreeSet<>(),
                                new TreeSet<>(),
                                new TreeSet<>(),
                                new TreeSet<>(Set.of(key("image-search"))),
                                none(),
                                none(),
                                "x"),
                        owner))
                .hasFieldOrPropertyWithValue("code", "approval-pending");

        approvals.approve(request.id(), "approved", compliance);
        AgentView changed = agentQueries.get(agent.id());
        assertThat(changed.dataScopes()).containsExactly(key("derm-phi"));
        assertThat(changed.tools()).containsExactlyInAnyOrder(key("classify"), key("image-search"));
        assertThat(changed.riskTier()).isEqualTo(RiskTier.HIGH);
    }

    @Test
    void changeRequestsNameTheFieldAtFault() {
        AgentView agent = active("Faulty change");
        assertThatThrownBy(() -> approvals.requestChange(
                        agent.id(),
                        new Commands.RequestChange(
                                new TreeSet<>(),
                                new TreeSet<>(Set.of(key("derm-phi"))),
                                new TreeSet<>(),
                                new TreeSet<>(),
                                none(),
                                none(),
                                "x"),
                        owner))
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("removeScopes"));
        assertThatThrownBy(() -> approvals.requestChange(
                        agent.id(),
                        new Commands.RequestChange(
                                new TreeSet<>(),
                                new TreeSet<>(),
                                new TreeSet<>(),
                                new TreeSet<>(),
                                none(),
                                none(),
                                "x"),
                        owner))
                .isInstanceOf(RegistryException.InvalidField.class);
    }

    @Test
    void searchFiltersByStatusKindOwnerScopeAndText() {
        AgentView activeOne = active("Searchable alpha");
        register("Searchable beta", Set.of(), Set.of(), owner);

        var byOwner = agentQueries.search(anyAgent().ownedBy(owner.id()).build(), 0, 10);
        assertThat(byOwner.total()).isEqualTo(2);
        var byStatus = agentQueries.search(
                anyAgent().withStatus(AgentStatus.ACTIVE).ownedBy(owner.id()).build(), 0, 10);
        assertThat(byStatus.items()).extracting(AgentView::id).containsExactly(activeOne.id());
        var byScope = agentQueries.search(anyAgent().holding(key("ct-deid")).build(), 0, 10);
        assertThat(byScope.items()).extracting(AgentView::id).containsExactly(activeOne.id());
        var byText = agentQueries.search(
                anyAgent()
                        .withKind(AgentKind.RETRIEVAL)
                        .ownedBy(owner.id())
                        .matching("BETA")
                        .build(),
                0,
                10);
        assertThat(byText.items())
                .singleElement()
                .satisfies(a -> assertThat(a.name()).isEqualTo("Searchable beta " + suffix));
        var wildcard =
                agentQueries.search(anyAgent().ownedBy(owner.id()).matching("%").build(), 0, 10);
        assertThat(wildcard.total())
                .as("LIKE wildcards in the text are literal")
                .isZero();
        var paged = agentQueries.search(anyAgent().ownedBy(owner.id()).build(), 1, 1);
        assertThat(paged.items()).hasSize(1);
        assertThat(paged.total()).isEqualTo(2);
        assertThatThrownBy(() -> agentQueries.search(AgentFilter.any(), 0, 101))
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("size"));
    }

    @Test
    void dataScopesCannotHoldPhiAndBeDeidentified() {
        assertThatThrownBy(() -> catalog.createDataScope(
                        "bad-" + suffix,
                        new Commands.SaveDataScope(
                                "Bad",
                                "",
                                SensitivityLabel.INTERNAL,
                                true,
                                true,
                                new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                                none()),
                        false,
                        admin))
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("deidentified"));
    }

    // ---- purposes of use, PHI approvals, reclassification, owners since the request ----------------

    @Test
    void purposesRequestedAtRegistrationAreGrantedWhenTheAgentIsActivated() {
        AgentView agent = register("Purposeful", Set.of("ct-deid"), Set.of("image-search"), owner);
        assertThat(agent.purposesOfUse())
                .as("nothing is granted before approval")
                .isEmpty();
        assertThat(pending(agent).addPurposes()).containsExactly(PurposeOfUse.TREAT);
        assertThat(events.stream(AgentRegistered.class))
                .singleElement()
                .satisfies(e -> assertThat(e.requestedPurposes()).containsExactly(PurposeOfUse.TREAT));

        approvals.approve(pending(agent).id(), "ok", admin);
        AgentView active = agents.activate(agent.id(), ONBOARDING);
        assertThat(active.purposesOfUse()).containsExactly(PurposeOfUse.TREAT);
        assertThat(events.stream(AgentGrantsChanged.class))
                .singleElement()
                .satisfies(e -> assertThat(e.purposesOfUse()).containsExactly(PurposeOfUse.TREAT));
    }

    @Test
    void purposesAreAddedAndRemovedByApprovedChanges() {
        AgentView agent = active("Research too");
        ApprovalView add = approvals.requestChange(
                agent.id(), change(Set.of(), Set.of(), Set.of(PurposeOfUse.HRESCH), Set.of()), owner);
        assertThat(add.requiresCompliance()).as("no PHI held or asked for").isFalse();
        assertThat(agentQueries.get(agent.id()).purposesOfUse())
                .as("not before approval")
                .containsExactly(PurposeOfUse.TREAT);
        approvals.approve(add.id(), "research protocol on file", admin);
        assertThat(agentQueries.get(agent.id()).purposesOfUse())
                .containsExactly(PurposeOfUse.TREAT, PurposeOfUse.HRESCH);

        assertThatThrownBy(() -> approvals.requestChange(
                        agent.id(), change(Set.of(), Set.of(), Set.of(PurposeOfUse.HRESCH), Set.of()), owner))
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("addPurposes"));
        assertThatThrownBy(() -> approvals.requestChange(
                        agent.id(), change(Set.of(), Set.of(), Set.of(), Set.of(PurposeOfUse.PUBHLTH)), owner))
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("removePurposes"));

        ApprovalView remove = approvals.requestChange(
                agent.id(), change(Set.of(), Set.of(), Set.of(), Set.of(PurposeOfUse.TREAT)), owner);
        approvals.approve(remove.id(), "treatment no longer", admin);
        assertThat(agentQueries.get(agent.id()).purposesOfUse()).containsExactly(PurposeOfUse.HRESCH);
    }

    @Test
    void emergencyTreatmentNeedsACompliancePerson() {
        AgentView agent = active("Emergency");
        ApprovalView request = approvals.requestChange(
                agent.id(), change(Set.of(), Set.of(), Set.of(PurposeOfUse.ETREAT), Set.of()), owner);
        assertThat(request.requiresCompliance()).isTrue();
        assertThatThrownBy(() -> approvals.approve(request.id(), "ok", admin))
                .isInstanceOfSatisfying(
                        RegistryException.AccessRuleViolated.class,
                        e -> assertThat(e.properties()).containsEntry("rule", "phi-needs-compliance-approver"));
        approvals.approve(request.id(), "emergency department protocol", compliance);
        assertThat(agentQueries.get(agent.id()).purposesOfUse()).contains(PurposeOfUse.ETREAT);
    }

    @Test
    void anyPurposeForAnAgentHoldingPhiNeedsACompliancePerson() {
        AgentView agent = register("Derm purposes", Set.of("derm-phi"), Set.of("classify"), owner);
        approvals.approve(pending(agent).id(), "DPIA reviewed", compliance);
        AgentView active = agents.activate(agent.id(), ONBOARDING);
        assertThat(active.phiApprovedScopes())
                .as("compliance approved the PHI scope")
                .containsExactly(key("derm-phi"));

        ApprovalView request = approvals.requestChange(
                agent.id(), change(Set.of(), Set.of(), Set.of(PurposeOfUse.HRESCH), Set.of()), owner);
        assertThat(request.requiresCompliance()).isTrue();
        assertThatThrownBy(() -> approvals.approve(request.id(), "ok", admin))
                .isInstanceOfSatisfying(
                        RegistryException.AccessRuleViolated.class,
                        e -> assertThat(e.properties()).containsEntry("rule", "phi-needs-compliance-approver"));
    }

    @Test
    void aScopeReclassifiedAsPhiBetweenRequestAndDecisionIsDecidedByComplianceOnly() {
        AgentView agent = active("Reclassified request");
        scope("recl", SensitivityLabel.INTERNAL, false);
        ApprovalView request =
                approvals.requestChange(agent.id(), change(Set.of(key("recl")), Set.of(), Set.of(), Set.of()), owner);
        assertThat(request.requiresCompliance()).isFalse();

        reclassifyAsPhi(key("recl"));
        assertThat(approvalQueries.getApproval(request.id()).requiresCompliance())
                .as("the inbox says so at once")
                .isTrue();
        assertThatThrownBy(() -> approvals.approve(request.id(), "ok", admin))
                .isInstanceOfSatisfying(
                        RegistryException.AccessRuleViolated.class,
                        e -> assertThat(e.properties()).containsEntry("rule", "phi-needs-compliance-approver"));
        assertThat(agentQueries.get(agent.id()).dataScopes()).doesNotContain(key("recl"));

        approvals.approve(request.id(), "reviewed as PHI", compliance);
        AgentView changed = agentQueries.get(agent.id());
        assertThat(changed.dataScopes()).contains(key("recl"));
        assertThat(changed.phiApprovedScopes()).containsExactly(key("recl"));
    }

    @Test
    void theDecisionJudgesTheClassificationAgainEvenWhenTheApprovalWasNotMarked() {
        AgentView agent = active("Reclassified behind its back");
        scope("quiet", SensitivityLabel.INTERNAL, false);
        ApprovalView request =
                approvals.requestChange(agent.id(), change(Set.of(key("quiet")), Set.of(), Set.of(), Set.of()), owner);
        // a classification changed without passing the registry's use case (a restore, a manual fix)
        jdbc.sql("update data_scope set phi = true, deidentified = false where key = :key")
                .param("key", key("quiet"))
                .update();
        assertThat(approvalQueries.getApproval(request.id()).requiresCompliance())
                .isFalse();

        assertThatThrownBy(() -> approvals.approve(request.id(), "ok", admin))
                .isInstanceOfSatisfying(
                        RegistryException.AccessRuleViolated.class,
                        e -> assertThat(e.properties()).containsEntry("rule", "phi-needs-compliance-approver"));
        ApprovalView approved = approvals.approve(request.id(), "reviewed as PHI", compliance);
        assertThat(approved.requiresCompliance())
                .as("persisted with the decision")
                .isTrue();
        assertThat(jdbc.sql("select requires_compliance from approval where id = :id")
                        .param("id", request.id().value())
                        .query(Boolean.class)
                        .single())
                .isTrue();
    }

    @Test
    void aGrantedScopeReclassifiedAsPhiGivesNoPhiApprovalUntilComplianceApprovesItAgain() {
        AgentView agent = register("Held then PHI", Set.of("ct-deid"), Set.of("image-search"), owner);
        approvals.approve(pending(agent).id(), "ok", admin);
        agents.activate(agent.id(), ONBOARDING);
        reclassifyAsPhi(key("ct-deid"));

        AgentView held = agentQueries.get(agent.id());
        assertThat(held.dataScopes()).contains(key("ct-deid"));
        assertThat(held.phiApprovedScopes())
                .as("reclassification never grants PHI")
                .isEmpty();

        ApprovalView again = approvals.requestChange(
                agent.id(), change(Set.of(key("ct-deid")), Set.of(), Set.of(), Set.of()), owner);
        assertThat(again.requiresCompliance()).isTrue();
        assertThatThrownBy(() -> approvals.approve(again.id(), "ok", admin))
                .isInstanceOfSatisfying(
                        RegistryException.AccessRuleViolated.class,
                        e -> assertThat(e.properties()).containsEntry("rule", "phi-needs-compliance-approver"));
        approvals.approve(again.id(), "PHI use reviewed", compliance);
        AgentView approved = agentQueries.get(agent.id());
        assertThat(approved.dataScopes()).contains(key("ct-deid"));
        assertThat(approved.phiApprovedScopes()).containsExactly(key("ct-deid"));
        assertThat(events.stream(AgentPhiApproved.class))
                .anySatisfy(e -> assertThat(e.scopes()).containsExactly(key("ct-deid")));

        assertThatThrownBy(() -> approvals.requestChange(
                        agent.id(), change(Set.of(key("ct-deid")), Set.of(), Set.of(), Set.of()), owner))
                .as("once approved for PHI the scope is simply held")
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("addScopes"));
    }

    @Test
    void removingAPhiScopeDropsItsPhiApproval() {
        AgentView agent = register("Drops PHI", Set.of("derm-phi", "ct-deid"), Set.of("classify"), owner);
        approvals.approve(pending(agent).id(), "DPIA reviewed", compliance);
        agents.activate(agent.id(), ONBOARDING);
        ApprovalView remove = approvals.requestChange(
                agent.id(), change(Set.of(), Set.of(key("derm-phi")), Set.of(), Set.of()), owner);
        approvals.approve(remove.id(), "no longer needed", admin);
        assertThat(agentQueries.get(agent.id()).phiApprovedScopes()).isEmpty();
        assertThat(jdbc.sql("select count(*) from agent_phi_approval where agent_id = :id")
                        .param("id", agent.id().value())
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void nobodyWhoOwnedTheAgentSinceTheRequestMayDecideIt() {
        Actor formerOwner = person("former", Role.ADMIN);
        Actor interimOwner = person("interim", Role.COMPLIANCE);
        Actor otherCompliance = person("compliance2", Role.COMPLIANCE);
        AgentView agent = register("Owner history", Set.of("derm-phi"), Set.of("classify"), admin, formerOwner.id());
        ApprovalView request = pending(agent);
        assertThat(request.ownersSinceRequest()).containsExactly(formerOwner.id());

        agents.changeOwner(agent.id(), interimOwner.id(), "reorganisation", admin);
        agents.changeOwner(agent.id(), owner.id(), "reorganisation again", admin);
        assertThat(approvalQueries.getApproval(request.id()).ownersSinceRequest())
                .containsExactlyInAnyOrder(formerOwner.id(), interimOwner.id(), owner.id());

        for (Actor barred : List.of(formerOwner, interimOwner)) {
            assertThatThrownBy(() -> approvals.approve(request.id(), "ok", barred))
                    .isInstanceOfSatisfying(
                            RegistryException.AccessRuleViolated.class,
                            e -> assertThat(e.properties()).containsEntry("rule", "approver-is-not-owner"));
        }
        // the database refuses it too, whatever the code does
        assertThatThrownBy(() -> jdbc.sql(
                                "update approval set status = 'APPROVED', decided_by = :who, decided_at = now() where id = :id")
                        .param("who", interimOwner.id())
                        .param("id", request.id().value())
                        .update())
                .hasMessageContaining("approval_not_owner_decided");

        approvals.approve(request.id(), "DPIA reviewed", otherCompliance);
        assertThat(approvalQueries.getApproval(request.id()).status()).isEqualTo(ApprovalStatus.APPROVED);
    }

    @Test
    void deidentificationIsRequiredOnlyForPurposesTheScopeAllows() {
        assertThatThrownBy(() -> catalog.createDataScope(
                        key("deid-bad"),
                        new Commands.SaveDataScope(
                                "Bad",
                                "",
                                SensitivityLabel.CONFIDENTIAL,
                                true,
                                false,
                                new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                                new TreeSet<>(Set.of(PurposeOfUse.HRESCH))),
                        false,
                        admin))
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("deidentifyFor"));

        var saved = catalog.createDataScope(
                key("deid-ok"),
                new Commands.SaveDataScope(
                        "Research",
                        "",
                        SensitivityLabel.CONFIDENTIAL,
                        true,
                        false,
                        new TreeSet<>(Set.of(PurposeOfUse.TREAT, PurposeOfUse.HRESCH)),
                        new TreeSet<>(Set.of(PurposeOfUse.HRESCH))),
                false,
                admin);
        assertThat(saved.deidentifyFor()).containsExactly(PurposeOfUse.HRESCH);
        assertThat(catalogQueries.dataScope(key("deid-ok")).deidentifyFor()).containsExactly(PurposeOfUse.HRESCH);
        assertThat(events.stream(DataScopeSaved.class))
                .anySatisfy(e -> assertThat(e.deidentifyFor()).containsExactly(PurposeOfUse.HRESCH));
    }

    private void reclassifyAsPhi(String key) {
        var current = catalogQueries.dataScope(key);
        catalog.updateDataScope(
                key,
                new Commands.SaveDataScope(
                        current.displayName(),
                        current.description(),
                        current.sensitivity(),
                        true,
                        false,
                        current.allowedPurposes(),
                        current.deidentifyFor()),
                current.version(),
                admin);
    }

    private static Commands.RequestChange change(
            Set<String> addScopes,
            Set<String> removeScopes,
            Set<PurposeOfUse> addPurposes,
            Set<PurposeOfUse> removePurposes) {
        return new Commands.RequestChange(
                new TreeSet<>(addScopes),
                new TreeSet<>(removeScopes),
                new TreeSet<>(),
                new TreeSet<>(),
                new TreeSet<>(addPurposes),
                new TreeSet<>(removePurposes),
                "because");
    }

    // ---- fixtures -----------------------------------------------------------------------------------

    private Actor person(String name, Role role) {
        String id = name + "-" + suffix;
        jdbc.sql("""
                insert into directory_user (id, user_principal_name, display_name, updated_at)
                values (:id, :upn, :name, :now)""")
                .param("id", id)
                .param("upn", id + "@test")
                .param("name", name)
                .param("now", Timestamp.from(Instant.now()))
                .update();
        return Actor.person(id, Set.of(role));
    }

    private String key(String base) {
        return base + "-" + suffix;
    }

    private void scope(String base, SensitivityLabel label, boolean phi) {
        catalog.createDataScope(
                key(base),
                new Commands.SaveDataScope(
                        base,
                        "",
                        label,
                        phi,
                        !phi,
                        new TreeSet<>(Set.of(PurposeOfUse.TREAT, PurposeOfUse.ETREAT, PurposeOfUse.HRESCH)),
                        none()),
                false,
                Actor.person("seed", Set.of(Role.ADMIN)));
    }

    private void tool(String base) {
        catalog.createTool(
                key(base),
                new Commands.SaveTool(base, "", "retrieval", new TreeSet<>(), 50, SensitivityLabel.HIGHLY_CONFIDENTIAL),
                false,
                Actor.person("seed", Set.of(Role.ADMIN)));
    }

    /** A registration that names no owner: the registering person owns the agent. */
    private Commands.RegisterAgent command(String name, Set<String> scopes, Set<String> tools) {
        return command(name, scopes, tools, null);
    }

    private Commands.RegisterAgent command(
            String name, Set<String> scopes, Set<String> tools, @Nullable String ownerId) {
        return new Commands.RegisterAgent(
                name,
                AgentKind.RETRIEVAL,
                "test purpose",
                ownerId,
                null,
                new TreeSet<>(scopes),
                new TreeSet<>(tools),
                new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                true);
    }

    /** Registers an agent that the registering person owns. */
    private AgentView register(String name, Set<String> scopes, Set<String> tools, Actor actor) {
        return register(name, scopes, tools, actor, null, actor);
    }

    private AgentView register(String name, Set<String> scopes, Set<String> tools, Actor actor, String ownerId) {
        return register(name, scopes, tools, actor, ownerId, actor);
    }

    private AgentView register(
            String name, Set<String> scopes, Set<String> tools, Actor unused, @Nullable String ownerId, Actor actor) {
        Set<String> scopeKeys = new TreeSet<>();
        scopes.forEach(s -> scopeKeys.add(s.endsWith(suffix) ? s : key(s)));
        Set<String> toolKeys = new TreeSet<>();
        tools.forEach(t -> toolKeys.add(t.endsWith(suffix) ? t : key(t)));
        String fullName = name.endsWith(suffix) ? name : name + " " + suffix;
        return agents.register(command(fullName, scopeKeys, toolKeys, ownerId), null, actor)
                .agent();
    }

    private AgentView active(String name) {
        AgentView agent = register(name, Set.of("ct-deid"), Set.of("image-search"), owner);
        approvals.approve(pending(agent).id(), "ok", admin);
        return agents.activate(agent.id(), ONBOARDING);
    }

    private static TreeSet<PurposeOfUse> none() {
        return new TreeSet<>();
    }

    private ApprovalView pending(AgentView agent) {
        return approvalQueries
                .approvals(ApprovalStatus.PENDING, agent.id(), 0, 10)
                .items()
                .getFirst();
    }
}
