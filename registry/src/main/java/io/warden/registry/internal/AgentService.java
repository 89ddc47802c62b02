package io.warden.registry.internal;

import static io.warden.registry.internal.RegistryRules.RULE_OWNER_OWN_AGENTS;
import static io.warden.registry.internal.RegistryRules.requireOwnerOrAdmin;

import io.warden.registry.Actor;
import io.warden.registry.ActorType;
import io.warden.registry.AgentActivity;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.Agents;
import io.warden.registry.ApprovalId;
import io.warden.registry.ApprovalKind;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.Commands;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.Page;
import io.warden.registry.RegistryException;
import io.warden.registry.RiskTier;
import io.warden.registry.Role;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/**
 * The agent use cases and reads. Each public method is one transaction: it loads, applies the aggregate's
 * rules and saves through {@link AgentMutations}, which publishes the events after the write, or writes
 * nothing at all.
 *
 * <p>Endpoint role rules are enforced at the web edge; the rules that depend on the data (an owner acts
 * only on agents they own) are enforced here.
 */
@Service
@Transactional
class AgentService implements Agents, AgentQueries, AgentActivity {

    private final AgentRepository agents;
    private final ApprovalRepository approvals;
    private final CatalogRepository catalog;
    private final IdempotencyRepository idempotency;
    private final Directory directory;
    private final AgentMutations mutations;
    private final RegistryRules rules;
    private final Clock clock;
    private final IdGenerator ids;
    private final RegistryProperties properties;

    AgentService(
            AgentRepository agents,
            ApprovalRepository approvals,
            CatalogRepository catalog,
            IdempotencyRepository idempotency,
            Directory directory,
            AgentMutations mutations,
            RegistryRules rules,
            Clock clock,
            IdGenerator ids,
            RegistryProperties properties) {
        this.agents = agents;
        this.approvals = approvals;
        this.catalog = catalog;
        this.idempotency = idempotency;
        this.directory = directory;
        this.mutations = mutations;
        this.rules = rules;
        this.clock = clock;
        this.ids = ids;
        this.properties = properties;
    }

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
        List<DataScopeView> scopes = rules.requireScopes(command.dataScopes(), "dataScopes");
        rules.requireTools(command.tools(), "tools");
        Agent agent = Agent.register(id, command, ownerId, RiskTier.of(scopes), clientId, demo, actor, now);
        if (command.submit()) {
            mutations.insert(agent, registered -> submit(registered, actor, now));
        } else {
            mutations.insert(agent);
        }
        return new Registration(agent.view(), false);
    }

    @Override
    public AgentView submit(AgentId id, Actor actor) {
        return mutations.mutate(id, agent -> {
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
        mutations.insert(Approval.request(
                new ApprovalId(ids.generateId()),
                agent.id(),
                ApprovalKind.REGISTRATION,
                request,
                rules.needsCompliance(agent, request.addScopes(), request.addPurposes()),
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
            requestedRisk = RiskTier.of(rules.requireScopes(update.requestedScopes(), "requestedScopes"));
        }
        if (update.requestedTools() != null) {
            rules.requireTools(update.requestedTools(), "requestedTools");
        }
        agent.updateMetadata(update, requestedRisk, actor, clock.instant());
        mutations.save(agent);
        return agent.view();
    }

    @Override
    public AgentView changeOwner(AgentId id, String newOwnerId, String reason, Actor actor) {
        AgentView changed = mutations.mutate(id, agent -> {
            requireActiveOwner(newOwnerId, "ownerId");
            agent.changeOwner(newOwnerId, reason, actor, clock.instant());
        });
        // the new owner joins those who may not decide what waits for the agent
        approvals.findPending(id).ifPresent(pending -> {
            pending.ownerChanged(newOwnerId);
            mutations.save(pending);
        });
        return changed;
    }

    @Override
    public AgentView suspend(AgentId id, String reason, Actor actor) {
        return mutations.mutate(id, agent -> agent.suspend(reason, actor, clock.instant()));
    }

    @Override
    public AgentView reinstate(AgentId id, String reason, Actor actor) {
        return mutations.mutate(id, agent -> agent.reinstate(reason, actor, clock.instant()));
    }

    /** Retires the agent for good; an approval still waiting for it is withdrawn. */
    @Override
    public AgentView retire(AgentId id, String reason, Actor actor) {
        Instant now = clock.instant();
        AgentView retired = mutations.mutate(id, agent -> {
            requireOwnerOrAdmin(agent, actor);
            agent.retire(reason, actor, now);
        });
        approvals.findPending(id).ifPresent(pending -> {
            pending.withdraw("agent retired: " + reason, actor, now);
            mutations.save(pending);
        });
        return retired;
    }

    /**
     * Activates an agent whose registration was approved, with the approved grants; the onboarding process
     * calls it once the identity is provisioned. Activating an ACTIVE agent changes nothing.
     */
    @Override
    public AgentView activate(AgentId id, Actor actor) {
        return mutations.mutateUnless(id, agent -> agent.status() == AgentStatus.ACTIVE, agent -> {
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
    public AgentView recertify(AgentId id, Duration period, Actor actor) {
        if (period.isNegative() || period.isZero()) {
            throw new RegistryException.InvalidField("period", "A recertification period is positive, got " + period);
        }
        return mutations.mutate(id, agent -> {
            requireOwnerOrAdmin(agent, actor);
            Instant now = clock.instant();
            agent.recertify(now.plus(period), actor, now);
        });
    }

    /** Records the identity provisioned for the agent (its OAuth2 client id); the same one again changes nothing. */
    @Override
    public AgentView assignIdentity(AgentId id, String clientId, Actor actor) {
        return mutations.mutate(id, agent -> {
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

    /** No event and no version change: activity is not a state change. */
    @Override
    public void recordLastActivity(Map<AgentId, Instant> lastActivity) {
        lastActivity.forEach(agents::recordLastActivity);
    }

    // ---- reads --------------------------------------------------------------------------------------

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
    public Map<AgentId, String> ownersOfLiveAgents() {
        return agents.ownersOfLiveAgents();
    }

    @Transactional(readOnly = true)
    @Override
    public Page<AgentView> search(AgentFilter filter, @Nullable Integer page, @Nullable Integer size) {
        int[] paging = rules.paging(page, size);
        var found = agents.search(filter, paging[0], paging[1]);
        return new Page<>(found.items().stream().map(Agent::view).toList(), found.page(), found.size(), found.total());
    }

    // ---- rules --------------------------------------------------------------------------------------

    private Agent loadAgent(AgentId id) {
        return agents.find(id).orElseThrow(() -> new RegistryException.NotFound("agent", id));
    }

    private static void requirePerson(Actor actor) {
        if (actor.type() != ActorType.PERSON) {
            throw new RegistryException.AccessRuleViolated(
                    "people-manage-agents", "Agents cannot register or manage agents; a person must");
        }
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

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
