package io.warden.registry.internal;

import static io.warden.registry.internal.RegistryRules.requireOwnerOrAdmin;

import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.AgentStatus;
import io.warden.registry.ApprovalId;
import io.warden.registry.ApprovalKind;
import io.warden.registry.ApprovalQueries;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.ApprovalView;
import io.warden.registry.Approvals;
import io.warden.registry.Commands;
import io.warden.registry.DataScopeView;
import io.warden.registry.EvaluationGate;
import io.warden.registry.Page;
import io.warden.registry.RegistryException;
import io.warden.registry.RiskTier;
import io.warden.registry.Role;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/**
 * The approval use cases and reads. Each public method is one transaction: it locks the agent, applies the
 * approval's rules and saves both through {@link AgentMutations}, which publishes the events after the
 * writes, or writes nothing at all.
 *
 * <p>Segregation of duties is enforced here (by {@link Approval}): an approver is neither the requester nor
 * the owner, and an approval touching PHI or highly confidential data is decided by COMPLIANCE.
 */
@Service
@Transactional
class ApprovalService implements Approvals, ApprovalQueries {

    private final ApprovalRepository approvals;
    private final CatalogRepository catalog;
    private final AgentMutations mutations;
    private final RegistryRules rules;
    private final Clock clock;
    private final IdGenerator ids;
    private final ObjectProvider<EvaluationGate> gate;

    ApprovalService(
            ApprovalRepository approvals,
            CatalogRepository catalog,
            AgentMutations mutations,
            RegistryRules rules,
            Clock clock,
            IdGenerator ids,
            ObjectProvider<EvaluationGate> gate) {
        this.gate = gate;
        this.approvals = approvals;
        this.catalog = catalog;
        this.mutations = mutations;
        this.rules = rules;
        this.clock = clock;
        this.ids = ids;
    }

    /**
     * Asks for scopes, tools and purposes of use to be added or removed; the agent's owner or an admin may ask.
     * Adding a PHI scope the agent holds without a PHI approval asks compliance to approve it for PHI.
     */
    @Override
    public ApprovalView requestChange(AgentId id, Commands.RequestChange change, Actor actor) {
        Agent agent = mutations.loadForUpdate(id);
        requireOwnerOrAdmin(agent, actor);
        if (agent.status() != AgentStatus.ACTIVE && agent.status() != AgentStatus.SUSPENDED) {
            throw new RegistryException.IllegalStatusTransition(
                    id, agent.status(), "take a change request (only ACTIVE or SUSPENDED agents can)");
        }
        if (change.isEmpty()) {
            throw new RegistryException.InvalidField(
                    "addScopes", "A change request must add or remove at least one data scope, tool or purpose of use");
        }
        List<DataScopeView> added = rules.requireScopes(change.addScopes(), "addScopes");
        rules.requireTools(change.addTools(), "addTools");
        requireSubset(change.removeScopes(), agent.dataScopes(), "removeScopes", "data scope");
        requireSubset(change.removeTools(), agent.tools(), "removeTools", "tool");
        requireSubset(change.removePurposes(), agent.purposes(), "removePurposes", "purpose of use");
        // a held PHI scope that compliance has not approved for this agent may be asked for again: that is
        // how it gets its PHI approval (after a reclassification, say)
        Set<String> reapprovable = added.stream()
                .filter(scope -> scope.phi() && !agent.phiApprovedScopes().contains(scope.key()))
                .map(DataScopeView::key)
                .collect(Collectors.toSet());
        Set<String> alreadyHeld = new TreeSet<>(agent.dataScopes());
        alreadyHeld.removeAll(reapprovable);
        requireDisjoint(change.addScopes(), alreadyHeld, "addScopes", "data scope");
        requireDisjoint(change.addTools(), agent.tools(), "addTools", "tool");
        requireDisjoint(change.addPurposes(), agent.purposes(), "addPurposes", "purpose of use");
        requireNotBoth(change.addScopes(), change.removeScopes(), "removeScopes");
        requireNotBoth(change.addPurposes(), change.removePurposes(), "removePurposes");
        Approval approval = Approval.request(
                new ApprovalId(ids.generateId()),
                id,
                ApprovalKind.CHANGE,
                change,
                rules.needsCompliance(agent, change.addScopes(), change.addPurposes()),
                agent.ownerId(),
                actor,
                clock.instant());
        mutations.insert(approval);
        return approval.view();
    }

    /**
     * Approves: a change applies to the agent's grants at once; an approved registration leaves the agent
     * PENDING_APPROVAL until the onboarding process has provisioned its identity and activates it
     * ({@link AgentService#activate}). Whether compliance must decide is judged again from the scopes as
     * they are classified now; a compliance officer's approval records PHI approval for each PHI scope it adds.
     */
    @Override
    public ApprovalView approve(ApprovalId id, String reason, Actor actor) {
        Approval approval = loadApproval(id);
        Agent agent = mutations.loadForUpdate(approval.agentId());
        Instant now = clock.instant();
        approval.complianceNeeded(rules.needsCompliance(agent, approval.addScopes(), approval.addPurposes()));
        approval.approve(actor, agent.ownerId(), reason, now);
        requireEvaluated(agent, approval);
        if (approval.kind() == ApprovalKind.CHANGE) {
            SortedSet<String> scopes = approval.applyTo(agent.dataScopes(), true);
            SortedSet<String> tools = approval.applyTo(agent.tools(), false);
            agent.grant(
                    scopes,
                    tools,
                    approval.applyToPurposes(agent.purposes()),
                    RiskTier.of(catalog.findScopes(scopes)),
                    approval.id(),
                    actor,
                    now);
        }
        if (actor.has(Role.COMPLIANCE)) {
            agent.approvePhi(
                    catalog.findScopes(approval.addScopes()).stream()
                            .filter(DataScopeView::phi)
                            .map(DataScopeView::key)
                            .collect(Collectors.toCollection(TreeSet::new)),
                    approval.id(),
                    actor,
                    now);
        }
        mutations.save(approval);
        mutations.save(agent);
        return approval.view();
    }

    /** Refuses the approval while the agent's data scopes lack the evaluation its kind needs there (the gate). */
    private void requireEvaluated(Agent agent, Approval approval) {
        // a registration's scopes are its approval's until it is approved; a change's are the agent's after it
        SortedSet<String> scopes = approval.applyTo(agent.dataScopes(), true);
        Optional<String> refusal =
                gate.getIfAvailable(() -> EvaluationGate.NONE).refusal(agent.kind(), scopes);
        if (refusal.isPresent()) {
            throw new RegistryException.Conflict("evaluation-required", refusal.get());
        }
    }

    /** Rejects: a rejected registration returns the agent to DRAFT, a rejected change leaves it as it was. */
    @Override
    public ApprovalView reject(ApprovalId id, String reason, Actor actor) {
        Approval approval = loadApproval(id);
        Agent agent = mutations.loadForUpdate(approval.agentId());
        Instant now = clock.instant();
        approval.complianceNeeded(rules.needsCompliance(agent, approval.addScopes(), approval.addPurposes()));
        approval.reject(actor, agent.ownerId(), reason, now);
        mutations.save(approval);
        if (approval.kind() == ApprovalKind.REGISTRATION) {
            agent.returnToDraft("registration rejected: " + reason, actor, now);
            mutations.save(agent);
        }
        return approval.view();
    }

    // ---- reads --------------------------------------------------------------------------------------

    @Transactional(readOnly = true)
    @Override
    public ApprovalView getApproval(ApprovalId id) {
        return loadApproval(id).view();
    }

    @Transactional(readOnly = true)
    @Override
    public Page<ApprovalView> approvals(
            @Nullable ApprovalStatus status,
            @Nullable AgentId agentId,
            @Nullable Integer page,
            @Nullable Integer size) {
        int[] paging = rules.paging(page, size);
        var found = approvals.search(status, agentId, paging[0], paging[1]);
        return new Page<>(
                found.items().stream().map(Approval::view).toList(), found.page(), found.size(), found.total());
    }

    // ---- rules --------------------------------------------------------------------------------------

    private Approval loadApproval(ApprovalId id) {
        return approvals.find(id).orElseThrow(() -> new RegistryException.NotFound("approval", id));
    }

    private static <T> void requireSubset(Set<T> removed, Set<T> granted, String field, String what) {
        for (T key : removed) {
            if (!granted.contains(key)) {
                throw new RegistryException.InvalidField(
                        field, "The agent does not hold the " + what + " '" + key + "'");
            }
        }
    }

    private static <T> void requireDisjoint(Set<T> added, Set<T> granted, String field, String what) {
        for (T key : added) {
            if (granted.contains(key)) {
                throw new RegistryException.InvalidField(
                        field, "The agent already holds the " + what + " '" + key + "'");
            }
        }
    }

    private static <T> void requireNotBoth(Set<T> added, Set<T> removed, String field) {
        for (T key : removed) {
            if (added.contains(key)) {
                throw new RegistryException.InvalidField(field, "'" + key + "' cannot be both added and removed");
            }
        }
    }
}
