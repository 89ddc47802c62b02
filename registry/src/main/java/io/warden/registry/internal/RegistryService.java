package io.warden.registry.internal;

import io.warden.registry.Actor;
import io.warden.registry.ActorType;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentId;
import io.warden.registry.AgentRegistry;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.ApprovalId;
import io.warden.registry.ApprovalKind;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.ApprovalView;
import io.warden.registry.Commands;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.Page;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.RiskTier;
import io.warden.registry.Role;
import io.warden.registry.ToolView;
import io.warden.registry.events.DataScopeSaved;
import io.warden.registry.events.ToolSaved;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/**
 * The registry's use cases. Each public method is one transaction: it loads, applies the aggregate's
 * rules, saves with optimistic locking and publishes the aggregate's events, or writes nothing at all.
 *
 * <p>Endpoint role rules are enforced at the web edge; the rules that depend on the data (an owner acts
 * only on agents they own, segregation of duties for approvals) are enforced here.
 */
@Service
@Transactional
class RegistryService implements AgentRegistry {

    static final String RULE_OWNER_OWN_AGENTS = "owner-acts-on-own-agents";

    private final AgentRepository agents;
    private final ApprovalRepository approvals;
    private final CatalogRepository catalog;
    private final IdempotencyRepository idempotency;
    private final Directory directory;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final IdGenerator ids;
    private final RegistryProperties properties;

    RegistryService(
            AgentRepository agents,
            ApprovalRepository approvals,
            CatalogRepository catalog,
            IdempotencyRepository idempotency,
            Directory directory,
            ApplicationEventPublisher events,
            Clock clock,
            IdGenerator ids,
            RegistryProperties properties) {
        this.agents = agents;
        this.approvals = approvals;
        this.catalog = catalog;
        this.idempotency = idempotency;
        this.directory = directory;
        this.events = events;
        this.clock = clock;
        this.ids = ids;
        this.properties = properties;
    }

    // ---- agents -------------------------------------------------------------------------------------

    @Override
    public Registration register(Commands.RegisterAgent command, @Nullable String idempotencyKey, Actor actor) {
        return register(command, idempotencyKey, actor, null, false);
    }

    /**
     * Registers an agent. With an idempotency key, a repeat of the same request returns the agent the
     * first one created; a different request under the same key is refused.
     *
     * @param clientId an identity that already exists for the agent (demo data); null otherwise
     */
    @Override
    public Registration register(
            Commands.RegisterAgent command,
            @Nullable String idempotencyKey,
            Actor actor,
            @Nullable String clientId,
            boolean demo) {
        requirePerson(actor);
        AgentId id = new AgentId(ids.generateId());
        Instant now = clock.instant();
        if (idempotencyKey != null) {
            Optional<IdempotencyRepository.Entry> earlier = idempotency.claim(
                    actor.id(), "register-agent", idempotencyKey, sha256(command.canonical()), id.toString(), now);
            if (earlier.isPresent()) {
                if (!earlier.get().requestHash().equals(sha256(command.canonical()))) {
                    throw new RegistryException.IdempotencyKeyReused(idempotencyKey);
                }
                AgentId existing = AgentId.of(earlier.get().resourceId());
                return new Registration(loadAgent(existing).view(), true);
            }
        }
        String ownerId = command.ownerId() == null ? actor.id() : command.ownerId();
        if (!actor.has(Role.ADMIN) && !ownerId.equals(actor.id())) {
            throw new RegistryException.AccessRuleViolated(
                    RULE_OWNER_OWN_AGENTS,
                    "An OWNER registers agents they own; only an ADMIN registers an agent for someone else");
        }
        requireActiveOwner(ownerId, "ownerId");
        List<DataScopeView> scopes = requireScopes(command.dataScopes(), "dataScopes");
        requireTools(command.tools(), "tools");
        Agent agent = Agent.register(id, command, ownerId, RiskTier.of(scopes), clientId, demo, actor, now);
        agents.insert(agent);
        if (command.submit()) {
            submit(agent, actor, now);
            save(agent);
        } else {
            publish(agent.drainEvents());
        }
        return new Registration(agent.view(), false);
    }

    @Override
    public AgentView submit(AgentId id, Actor actor) {
        return mutate(id, agent -> {
            requireOwnerOrAdmin(agent, actor);
            submit(agent, actor, clock.instant());
        });
    }

    /** Moves the agent on to PENDING_APPROVAL and files its registration approval; the caller saves the agent. */
    private void submit(Agent agent, Actor actor, Instant now) {
        agent.submit(actor, now);
        var request = new Commands.RequestChange(
                agent.requestedScopesCopy(),
                new TreeSet<>(),
                agent.requestedToolsCopy(),
                new TreeSet<>(),
                agent.requestedPurposesCopy(),
                new TreeSet<>(),
                "registration of " + agent.name());
        insert(Approval.request(
                new ApprovalId(ids.generateId()),
                agent.id(),
                ApprovalKind.REGISTRATION,
                request,
                needsCompliance(agent, request.addScopes(), request.addPurposes()),
                agent.ownerId(),
                actor,
                now));
    }

    @Override
    public AgentView update(AgentId id, Commands.UpdateAgent update, Actor actor) {
        Agent agent = loadAgent(id);
        requireOwnerOrAdmin(agent, actor);
        if (agent.version() != update.version()) {
            throw new RegistryException.StaleVersion("agent", id, update.version(), agent.version());
        }
        RiskTier requestedRisk = agent.riskTier();
        if (update.requestedScopes() != null) {
            requestedRisk = RiskTier.of(requireScopes(update.requestedScopes(), "requestedScopes"));
        }
        if (update.requestedTools() != null) {
            requireTools(update.requestedTools(), "requestedTools");
        }
        agent.updateMetadata(update, requestedRisk, actor, clock.instant());
        save(agent);
        return agent.view();
    }

    @Override
    public AgentView changeOwner(AgentId id, String newOwnerId, String reason, Actor actor) {
        AgentView changed = mutate(id, agent -> {
            requireActiveOwner(newOwnerId, "ownerId");
            agent.changeOwner(newOwnerId, reason, actor, clock.instant());
        });
        // the new owner joins those who may not decide what waits for the agent
        approvals.findPending(id).ifPresent(pending -> {
            pending.ownerChanged(newOwnerId);
            save(pending);
        });
        return changed;
    }

    @Override
    public AgentView suspend(AgentId id, String reason, Actor actor) {
        return mutate(id, agent -> agent.suspend(reason, actor, clock.instant()));
    }

    @Override
    public AgentView reinstate(AgentId id, String reason, Actor actor) {
        return mutate(id, agent -> agent.reinstate(reason, actor, clock.instant()));
    }

    /** Retires the agent for good; an approval still waiting for it is withdrawn. */
    @Override
    public AgentView retire(AgentId id, String reason, Actor actor) {
        Instant now = clock.instant();
        AgentView retired = mutate(id, agent -> {
            requireOwnerOrAdmin(agent, actor);
            agent.retire(reason, actor, now);
        });
        approvals.findPending(id).ifPresent(pending -> {
            pending.withdraw("agent retired: " + reason, actor, now);
            save(pending);
        });
        return retired;
    }

    @Transactional(readOnly = true)
    @Override
    public AgentView get(AgentId id) {
        return loadAgent(id).view();
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<AgentView> findAgent(AgentId id) {
        return agents.find(id).map(Agent::view);
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<AgentView> findAgentByClientId(String clientId) {
        return agents.findByClientId(clientId).map(Agent::view);
    }

    @Override
    @Transactional(readOnly = true)
    public List<AgentId> dormantSince(Instant before) {
        return agents.dormantSince(before);
    }

    @Override
    @Transactional(readOnly = true)
    public List<AgentId> recertificationDue(Instant by) {
        return agents.recertificationDue(by);
    }

    @Override
    @Transactional(readOnly = true)
    public java.util.Map<AgentId, String> ownersOfLiveAgents() {
        return agents.ownersOfLiveAgents();
    }

    @Transactional(readOnly = true)
    @Override
    public Page<AgentView> search(AgentFilter filter, @Nullable Integer page, @Nullable Integer size) {
        int[] paging = paging(page, size);
        var found = agents.search(filter, paging[0], paging[1]);
        return new Page<>(found.items().stream().map(Agent::view).toList(), found.page(), found.size(), found.total());
    }

    // ---- approvals ----------------------------------------------------------------------------------

    /**
     * Asks for scopes, tools and purposes of use to be added or removed; the agent's owner or an admin may ask.
     * Adding a PHI scope the agent holds without a PHI approval asks compliance to approve it for PHI.
     */
    @Override
    public ApprovalView requestChange(AgentId id, Commands.RequestChange change, Actor actor) {
        Agent agent = loadAgentForUpdate(id);
        requireOwnerOrAdmin(agent, actor);
        if (agent.status() != AgentStatus.ACTIVE && agent.status() != AgentStatus.SUSPENDED) {
            throw new RegistryException.IllegalStatusTransition(
                    id, agent.status(), "take a change request (only ACTIVE or SUSPENDED agents can)");
        }
        if (change.isEmpty()) {
            throw new RegistryException.InvalidField(
                    "addScopes", "A change request must add or remove at least one data scope, tool or purpose of use");
        }
        List<DataScopeView> added = requireScopes(change.addScopes(), "addScopes");
        requireTools(change.addTools(), "addTools");
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
                needsCompliance(agent, change.addScopes(), change.addPurposes()),
                agent.ownerId(),
                actor,
                clock.instant());
        insert(approval);
        return approval.view();
    }

    /**
     * Approves: a change applies to the agent's grants at once; an approved registration leaves the agent
     * PENDING_APPROVAL until the onboarding process has provisioned its identity and calls {@link #activate}.
     * Whether compliance must decide is judged again from the scopes as they are classified now; a compliance
     * officer's approval records PHI approval for each PHI scope it adds.
     */
    @Override
    public ApprovalView approve(ApprovalId id, String reason, Actor actor) {
        Approval approval = loadApproval(id);
        Agent agent = loadAgentForUpdate(approval.agentId());
        Instant now = clock.instant();
        approval.complianceNeeded(needsCompliance(agent, approval.addScopes(), approval.addPurposes()));
        approval.approve(actor, agent.ownerId(), reason, now);
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
        save(approval);
        save(agent);
        return approval.view();
    }

    /**
     * Activates an agent whose registration was approved, with the approved grants; the onboarding process
     * calls it once the identity is provisioned. Activating an ACTIVE agent changes nothing.
     */
    @Override
    public AgentView activate(AgentId id, Actor actor) {
        return mutateUnless(id, agent -> agent.status() == AgentStatus.ACTIVE, agent -> {
            if (actor.type() != ActorType.SYSTEM && !actor.has(Role.ADMIN)) {
                throw new RegistryException.AccessRuleViolated(
                        "activation-by-onboarding", "Agents are activated by the onboarding process (or an ADMIN)");
            }
            Approval approval = approvals
                    .findLatest(id, ApprovalKind.REGISTRATION, ApprovalStatus.APPROVED)
                    .filter(found -> agent.status() == AgentStatus.PENDING_APPROVAL)
                    .orElseThrow(() -> new RegistryException.IllegalStatusTransition(
                            id, agent.status(), "be activated (it needs an approved registration)"));
            Instant now = clock.instant();
            SortedSet<String> scopes = approval.applyTo(agent.dataScopes(), true);
            SortedSet<String> tools = approval.applyTo(agent.tools(), false);
            agent.activate(
                    approval.id(),
                    scopes,
                    tools,
                    approval.applyToPurposes(agent.purposes()),
                    RiskTier.of(catalog.findScopes(scopes)),
                    now.plus(properties.recertificationPeriod()),
                    actor,
                    now);
        });
    }

    /** The owner attested the agent: the next recertification is due one period from now. */
    @Override
    public AgentView recertify(AgentId id, Actor actor) {
        return recertify(id, properties.recertificationPeriod(), actor);
    }

    @Override
    public AgentView recertify(AgentId id, java.time.Duration period, Actor actor) {
        if (period.isNegative() || period.isZero()) {
            throw new RegistryException.InvalidField("period", "A recertification period is positive, got " + period);
        }
        return mutate(id, agent -> {
            requireOwnerOrAdmin(agent, actor);
            Instant now = clock.instant();
            agent.recertify(now.plus(period), actor, now);
        });
    }

    /** Records the identity provisioned for the agent (its OAuth2 client id); the same one again changes nothing. */
    @Override
    public AgentView assignIdentity(AgentId id, String clientId, Actor actor) {
        return mutate(id, agent -> {
            if (actor.type() != ActorType.SYSTEM && !actor.has(Role.ADMIN)) {
                throw new RegistryException.AccessRuleViolated(
                        "identity-by-provisioning", "Identities are assigned by provisioning");
            }
            agents.findByClientId(clientId)
                    .filter(other -> !other.id().equals(id))
                    .ifPresent(other -> {
                        throw new RegistryException.Conflict(
                                "identity-in-use", "The identity " + clientId + " belongs to agent " + other.id());
                    });
            agent.assignClientId(clientId, actor, clock.instant());
        });
    }

    /** Rejects: a rejected registration returns the agent to DRAFT, a rejected change leaves it as it was. */
    @Override
    public ApprovalView reject(ApprovalId id, String reason, Actor actor) {
        Approval approval = loadApproval(id);
        Agent agent = loadAgentForUpdate(approval.agentId());
        Instant now = clock.instant();
        approval.complianceNeeded(needsCompliance(agent, approval.addScopes(), approval.addPurposes()));
        approval.reject(actor, agent.ownerId(), reason, now);
        save(approval);
        if (approval.kind() == ApprovalKind.REGISTRATION) {
            agent.returnToDraft("registration rejected: " + reason, actor, now);
            save(agent);
        }
        return approval.view();
    }

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
        int[] paging = paging(page, size);
        var found = approvals.search(status, agentId, paging[0], paging[1]);
        return new Page<>(
                found.items().stream().map(Approval::view).toList(), found.page(), found.size(), found.total());
    }

    // ---- catalogue ----------------------------------------------------------------------------------

    @Override
    public DataScopeView createDataScope(String key, Commands.SaveDataScope scope, boolean demo, Actor actor) {
        requireConsistent(scope);
        Instant now = clock.instant();
        catalog.insertScope(key, scope, demo, now);
        publish(List.of(new DataScopeSaved(
                key,
                scope.sensitivity(),
                scope.phi(),
                scope.allowedPurposes(),
                scope.deidentifyFor(),
                1,
                actor.id(),
                now)));
        return dataScope(key);
    }

    @Override
    public DataScopeView updateDataScope(String key, Commands.SaveDataScope scope, long version, Actor actor) {
        requireConsistent(scope);
        Instant now = clock.instant();
        long newVersion = catalog.updateScope(key, scope, version, now);
        if (scope.phi() || scope.sensitivity() == io.warden.registry.SensitivityLabel.HIGHLY_CONFIDENTIAL) {
            approvals.requireComplianceForPending(key, scope.phi());
        }
        publish(List.of(new DataScopeSaved(
                key,
                scope.sensitivity(),
                scope.phi(),
                scope.allowedPurposes(),
                scope.deidentifyFor(),
                newVersion,
                actor.id(),
                now)));
        return dataScope(key);
    }

    @Transactional(readOnly = true)
    @Override
    public DataScopeView dataScope(String key) {
        return catalog.findScope(key).orElseThrow(() -> new RegistryException.NotFound("data-scope", key));
    }

    @Transactional(readOnly = true)
    @Override
    public List<DataScopeView> dataScopes() {
        return catalog.allScopes();
    }

    @Override
    public ToolView createTool(String key, Commands.SaveTool tool, boolean demo, Actor actor) {
        requireScopes(tool.requiredScopes(), "requiredScopes");
        Instant now = clock.instant();
        catalog.insertTool(key, tool, demo, now);
        publish(List.of(new ToolSaved(key, tool.maxK(), 1, actor.id(), now)));
        return tool(key);
    }

    @Override
    public ToolView updateTool(String key, Commands.SaveTool tool, long version, Actor actor) {
        requireScopes(tool.requiredScopes(), "requiredScopes");
        Instant now = clock.instant();
        long newVersion = catalog.updateTool(key, tool, version, now);
        publish(List.of(new ToolSaved(key, tool.maxK(), newVersion, actor.id(), now)));
        return tool(key);
    }

    @Transactional(readOnly = true)
    @Override
    public ToolView tool(String key) {
        return catalog.findTool(key).orElseThrow(() -> new RegistryException.NotFound("tool", key));
    }

    @Transactional(readOnly = true)
    @Override
    public List<ToolView> tools() {
        return catalog.allTools();
    }

    @Override
    public void recordLastActivity(java.util.Map<AgentId, Instant> lastActivity) {
        lastActivity.forEach(agents::recordLastActivity);
    }

    // ---- rules --------------------------------------------------------------------------------------

    private Agent loadAgent(AgentId id) {
        return agents.find(id).orElseThrow(() -> new RegistryException.NotFound("agent", id));
    }

    private Agent loadAgentForUpdate(AgentId id) {
        return agents.findForUpdate(id).orElseThrow(() -> new RegistryException.NotFound("agent", id));
    }

    private Approval loadApproval(ApprovalId id) {
        return approvals.find(id).orElseThrow(() -> new RegistryException.NotFound("approval", id));
    }

    private static void requirePerson(Actor actor) {
        if (actor.type() != ActorType.PERSON) {
            throw new RegistryException.AccessRuleViolated(
                    "people-manage-agents", "Agents cannot register or manage agents; a person must");
        }
    }

    private static void requireOwnerOrAdmin(Agent agent, Actor actor) {
        if (actor.type() == ActorType.SYSTEM
                || actor.has(Role.ADMIN)
                || agent.ownerId().equals(actor.id())) {
            return;
        }
        throw new RegistryException.AccessRuleViolated(
                RULE_OWNER_OWN_AGENTS, "Only the agent's owner or an ADMIN may do this to agent " + agent.id());
    }

    private void requireActiveOwner(String ownerId, String field) {
        DirectoryUser owner = directory
                .findUser(ownerId)
                .orElseThrow(() -> new RegistryException.InvalidField(
                        field, "No person with id '" + ownerId + "' in the directory"));
        if (!owner.active()) {
            throw new RegistryException.InvalidField(
                    field,
                    "The person '" + ownerId + "' is disabled or deleted in the directory and cannot own an agent");
        }
    }

    private List<DataScopeView> requireScopes(Collection<String> keys, String field) {
        List<DataScopeView> found = catalog.findScopes(keys);
        requireAllFound(keys, found.stream().map(DataScopeView::key).collect(Collectors.toSet()), field, "data scope");
        return found;
    }

    private void requireTools(Collection<String> keys, String field) {
        List<ToolView> found = catalog.findTools(keys);
        requireAllFound(keys, found.stream().map(ToolView::key).collect(Collectors.toSet()), field, "tool");
    }

    private static void requireAllFound(Collection<String> wanted, Set<String> found, String field, String what) {
        for (String key : new TreeSet<>(wanted)) {
            if (!found.contains(key)) {
                throw new RegistryException.InvalidField(field, "Unknown " + what + " '" + key + "'");
            }
        }
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

    private static void requireConsistent(Commands.SaveDataScope scope) {
        if (scope.phi() && scope.deidentified()) {
            throw new RegistryException.InvalidField(
                    "deidentified", "A data scope cannot hold PHI and be de-identified");
        }
        if (scope.allowedPurposes().isEmpty()) {
            throw new RegistryException.InvalidField(
                    "allowedPurposes", "A data scope needs at least one allowed purpose of use");
        }
        for (PurposeOfUse purpose : scope.deidentifyFor()) {
            if (!scope.allowedPurposes().contains(purpose)) {
                throw new RegistryException.InvalidField(
                        "deidentifyFor",
                        "deidentifyFor names " + purpose + ", which is not one of the scope's allowed purposes");
            }
        }
    }

    /**
     * Whether deciding these additions needs a compliance officer, from the scopes as they are classified
     * now: a PHI or highly confidential scope added; emergency treatment granted; or any purpose granted to
     * an agent that holds or asks for a PHI scope.
     */
    private boolean needsCompliance(Agent agent, SortedSet<String> addScopes, SortedSet<PurposeOfUse> addPurposes) {
        if (RiskTier.of(catalog.findScopes(addScopes)).needsComplianceApproval()
                || addPurposes.contains(PurposeOfUse.ETREAT)) {
            return true;
        }
        if (addPurposes.isEmpty()) {
            return false;
        }
        Set<String> touched = new TreeSet<>(agent.dataScopes());
        touched.addAll(addScopes);
        return catalog.findScopes(touched).stream().anyMatch(DataScopeView::phi);
    }

    private int[] paging(@Nullable Integer page, @Nullable Integer size) {
        int p = page == null ? 0 : page;
        int s = size == null ? properties.defaultPageSize() : size;
        if (p < 0) {
            throw new RegistryException.InvalidField("page", "page must be 0 or more, got " + p);
        }
        if (s < 1 || s > properties.maxPageSize()) {
            throw new RegistryException.InvalidField(
                    "size", "size must be between 1 and " + properties.maxPageSize() + ", got " + s);
        }
        return new int[] {p, s};
    }

    // ---- the mutation path --------------------------------------------------------------------------
    // Every state change goes through here: the aggregate is written first and its events published only
    // after the write, so no event leaves for a change the database refused (a stale version, say).

    /** Locks the agent, applies the transition and saves it. */
    private AgentView mutate(AgentId id, Consumer<Agent> transition) {
        return mutateUnless(id, agent -> false, transition);
    }

    /** As {@link #mutate}; an agent already {@code done} is returned as it is and nothing is written. */
    private AgentView mutateUnless(AgentId id, Predicate<Agent> done, Consumer<Agent> transition) {
        Agent agent = loadAgentForUpdate(id);
        if (done.test(agent)) {
            return agent.view();
        }
        transition.accept(agent);
        save(agent);
        return agent.view();
    }

    private void save(Agent agent) {
        agents.update(agent);
        publish(agent.drainEvents());
    }

    private void save(Approval approval) {
        approvals.update(approval);
        publish(approval.drainEvents());
    }

    private void insert(Approval approval) {
        approvals.insert(approval);
        publish(approval.drainEvents());
    }

    private void publish(List<?> recorded) {
        recorded.forEach(events::publishEvent);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
