package io.warden.policy;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.events.KillSwitchEngaged;
import io.warden.policy.events.KillSwitchReleased;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import io.warden.registry.CatalogQueries;
import io.warden.registry.RegistryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Kill switches held in memory, for tests of what uses the port: one instance, so every switch is in force
 * everywhere the moment it is engaged. It resolves targets against the registry it is given, refuses what
 * {@link KillSwitches} refuses, audits every change (a change that cannot be audited is not made) and
 * publishes the same events as the PostgreSQL implementation; {@code KillSwitchesContract} holds both to that.
 */
public final class InMemoryKillSwitches implements KillSwitches {

    /** How this single instance names itself in {@link #propagation(UUID)}. */
    public static final String INSTANCE = "in-memory";

    private final AgentQueries agents;
    private final CatalogQueries catalog;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    /** Every switch ever engaged, in the order engaged; guarded by {@code this}. */
    private final Map<UUID, KillSwitch> switches = new LinkedHashMap<>();

    private final List<Runnable> engagedListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> releasedListeners = new CopyOnWriteArrayList<>();
    private final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
    private final List<Object> published = new CopyOnWriteArrayList<>();

    /** Records what it audits and publishes in {@link #audited()} and {@link #published()}. */
    public InMemoryKillSwitches(AgentQueries agents, CatalogQueries catalog, Clock clock) {
        this.agents = agents;
        this.catalog = catalog;
        this.audit = new AuditLog() {
            @Override
            public AuditRecord append(AuditEvent event) {
                audited.add(event);
                return new AuditRecord(audited.size(), clock.instant(), 1, event, new byte[32]);
            }

            @Override
            public CompletableFuture<AuditRecord> appendQueued(AuditEvent event) {
                return CompletableFuture.completedFuture(append(event));
            }
        };
        this.events = published::add;
        this.clock = clock;
    }

    public InMemoryKillSwitches(
            AgentQueries agents,
            CatalogQueries catalog,
            AuditLog audit,
            ApplicationEventPublisher events,
            Clock clock) {
        this.agents = agents;
        this.catalog = catalog;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    /** A resolved target: what is stored, and how people see it. */
    private record Target(
            String key, @Nullable String name, @Nullable String clientId) {}

    @Override
    public KillSwitch engage(KillSwitchScope scope, String target, String reason, String actorId) {
        Target resolved = resolve(scope, target);
        KillSwitch engaged;
        synchronized (this) {
            if (switches.values().stream()
                    .anyMatch(each -> each.active()
                            && each.scope() == scope
                            && each.target().equals(resolved.key()))) {
                throw new KillSwitchRefused(
                        "already-engaged",
                        ProblemKind.CONFLICT,
                        "A " + scope + " kill switch for " + resolved.key() + " is already engaged");
            }
            Instant now = clock.instant();
            engaged = new KillSwitch(
                    UUID.randomUUID(),
                    scope,
                    resolved.key(),
                    resolved.name(),
                    resolved.clientId(),
                    true,
                    true,
                    actorId,
                    now,
                    reason,
                    null,
                    null,
                    null,
                    null);
            record("kill_switch.engaged", engaged, reason, actorId); // throws: nothing stored
            switches.put(engaged.id(), engaged);
            events.publishEvent(new KillSwitchEngaged(engaged.id(), scope, resolved.key(), reason, actorId, now));
        }
        engagedListeners.forEach(Runnable::run); // the view covers the switch by now
        return engaged;
    }

    private Target resolve(KillSwitchScope scope, String target) {
        if (scope == KillSwitchScope.GLOBAL) {
            return new Target("*", null, null);
        }
        String key = target.strip();
        if (key.isEmpty() || key.length() > 200) {
            throw KillSwitchRefused.invalidTarget("A " + scope + " kill switch needs a target");
        }
        try {
            return switch (scope) {
                case AGENT -> {
                    Optional<AgentView> agent = Optional.empty();
                    try {
                        agent = agents.findAgent(AgentId.of(key));
                    } catch (IllegalArgumentException notAnId) {
                        // a client id, then
                    }
                    AgentView found = agent.or(() -> agents.findAgentByClientId(key))
                            .orElseThrow(() -> KillSwitchRefused.invalidTarget("'" + key + "' names no agent"));
                    yield new Target(found.id().toString(), found.name(), found.clientId());
                }
                case TOOL -> new Target(key, catalog.tool(key).displayName(), null);
                case DATASET -> new Target(key, catalog.dataScope(key).displayName(), null);
                case GLOBAL -> throw new IllegalStateException("handled above");
            };
        } catch (RegistryException.NotFound e) {
            throw KillSwitchRefused.invalidTarget(
                    "'" + key + "' names no " + scope.name().toLowerCase(Locale.ROOT));
        }
    }

    @Override
    public synchronized KillSwitch release(UUID id, String reason, String actorId) {
        KillSwitch current = switches.get(id);
        if (current == null) {
            throw new KillSwitchRefused("not-found", ProblemKind.NOT_FOUND, "No kill switch " + id);
        }
        if (!current.active()) {
            throw new KillSwitchRefused("not-engaged", ProblemKind.CONFLICT, "Kill switch " + id + " is not engaged");
        }
        if (current.scope() == KillSwitchScope.GLOBAL && current.releaseRequestedBy() == null) {
            record("kill_switch.release_requested", current, reason, actorId);
            KillSwitch requested = with(current, actorId, null, null, null, true);
            switches.put(id, requested);
            return requested;
        }
        if (current.scope() == KillSwitchScope.GLOBAL && actorId.equals(current.releaseRequestedBy())) {
            throw new KillSwitchRefused(
                    "second-person-required",
                    ProblemKind.FORBIDDEN,
                    "Releasing the global kill switch needs a second person; " + actorId + " asked for it already");
        }
        Instant now = clock.instant();
        record("kill_switch.released", current, reason, actorId);
        KillSwitch released = with(current, current.releaseRequestedBy(), actorId, now, reason, false);
        switches.put(id, released);
        events.publishEvent(new KillSwitchReleased(id, current.scope(), current.target(), reason, actorId, now));
        releasedListeners.forEach(Runnable::run); // the view no longer covers the switch
        return released;
    }

    private static KillSwitch with(
            KillSwitch current,
            @Nullable String requestedBy,
            @Nullable String releasedBy,
            @Nullable Instant releasedAt,
            @Nullable String releaseReason,
            boolean active) {
        return new KillSwitch(
                current.id(),
                current.scope(),
                current.target(),
                current.targetName(),
                current.targetClientId(),
                current.resolved(),
                active,
                current.engagedBy(),
                current.engagedAt(),
                current.reason(),
                requestedBy,
                releasedBy,
                releasedAt,
                releaseReason);
    }

    private void record(String action, KillSwitch subject, String reason, String actorId) {
        AuditActor actor = actorId.startsWith("system:")
                ? AuditActor.system(actorId.substring("system:".length()))
                : AuditActor.person(actorId);
        audit.append(AuditEvent.builder(
                        action,
                        actor,
                        new AuditTarget("kill-switch", subject.id().toString()))
                .detail("scope", subject.scope())
                .detail("target", subject.target())
                .detail("reason", reason.length() <= 256 ? reason : reason.substring(0, 256))
                .build());
    }

    @Override
    public synchronized Covered covers(String agent, String tool, String dataset) {
        boolean global = false;
        boolean byAgent = false;
        boolean byTool = false;
        boolean byDataset = false;
        for (KillSwitch each : active()) {
            switch (each.scope()) {
                case GLOBAL -> global = true;
                case AGENT -> byAgent |= agent.equals(each.target()) || agent.equals(each.targetClientId());
                case TOOL -> byTool |= tool.equals(each.target());
                case DATASET -> byDataset |= dataset.equals(each.target());
            }
        }
        return new Covered(global, byAgent, byTool, byDataset);
    }

    /** Every target was resolved when engaged, and this fake's registry forgets nothing. */
    @Override
    public List<KillSwitch> unresolved() {
        return List.of();
    }

    @Override
    public Propagation propagation(UUID id) {
        return new Propagation(List.of(INSTANCE), List.of(), Duration.ZERO);
    }

    @Override
    public synchronized List<KillSwitch> active() {
        List<KillSwitch> active = new ArrayList<>();
        switches.values().stream().filter(KillSwitch::active).forEach(active::add);
        return List.copyOf(active);
    }

    /** What it audited, when built without an audit log of the test's. */
    public List<AuditEvent> audited() {
        return List.copyOf(audited);
    }

    /** The events it published, when built without a publisher of the test's. */
    public List<Object> published() {
        return List.copyOf(published);
    }

    @Override
    public void onEngaged(Runnable listener) {
        engagedListeners.add(listener);
    }

    @Override
    public void onReleased(Runnable listener) {
        releasedListeners.add(listener);
    }

    @Override
    public synchronized Map<UUID, Applied> applied() {
        Map<UUID, Applied> applied = new LinkedHashMap<>();
        active().forEach(each -> applied.put(each.id(), new Applied(1, 1)));
        return applied;
    }
}
