package io.warden.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import io.warden.audit.AuditWriteFailed;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.KillSwitches.Covered;
import io.warden.policy.events.KillSwitchEngaged;
import io.warden.policy.events.KillSwitchReleased;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.Page;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.RiskTier;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolView;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.groups.Tuple;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationEventPublisher;

/**
 * What every {@link KillSwitches} does, wherever the switches live: an engaged switch is returned as stored and
 * covers its agent (by id and by client id alike), tool or dataset, a GLOBAL one everything; a second switch on
 * an engaged target and a target that names nothing are refused with their codes, and nothing is stored; a
 * release stops the switch, a GLOBAL one only when a second person confirms; every change is audited and
 * published, and one that cannot be audited is not made; listeners run once the view covers a new switch.
 * A subclass builds its implementation on {@link #registered}, {@link #audit}, {@link #events} and
 * {@link #clock}, and makes the registered targets known wherever its implementation looks them up.
 */
public abstract class KillSwitchesContract {

    protected static final Instant NOW = Instant.parse("2025-03-10T12:00:00Z");

    protected final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    protected final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
    protected final AtomicBoolean auditBroken = new AtomicBoolean();
    protected final List<Object> published = new CopyOnWriteArrayList<>();
    protected final AuditLog audit = new AuditLog() {
        @Override
        public AuditRecord append(AuditEvent event) {
            if (auditBroken.get()) {
                throw new AuditWriteFailed("the audit trail cannot be written");
            }
            audited.add(event);
            return new AuditRecord(audited.size(), NOW, 1, event, new byte[32]);
        }

        @Override
        public CompletableFuture<AuditRecord> appendQueued(AuditEvent event) {
            return CompletableFuture.completedFuture(append(event));
        }
    };
    protected final ApplicationEventPublisher events = published::add;
    protected final Registered registered = new Registered();

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    protected final AgentView agent = agent(new AgentId(UUID.randomUUID()), "Contract agent " + run, "client-" + run);
    protected final ToolView tool = tool("search-" + run, "Contract search " + run);
    protected final DataScopeView dataset = dataScope("notes-" + run, "Contract notes " + run);

    /** The implementation under test; the same instance for the whole test. */
    protected abstract KillSwitches switches();

    /** Makes these known wherever the implementation looks targets up, beyond {@link #registered}. */
    protected abstract void givenRegistered(AgentView agent, ToolView tool, DataScopeView dataScope);

    @BeforeEach
    final void registerTheTargets() {
        registered.agents.put(agent.id(), agent);
        registered.tools.put(tool.key(), tool);
        registered.dataScopes.put(dataset.key(), dataset);
        givenRegistered(agent, tool, dataset);
    }

    private String clientId() {
        String clientId = agent.clientId();
        assertThat(clientId).isNotNull();
        return clientId == null ? "" : clientId;
    }

    @Test
    void anAgentSwitchEngagedByClientIdStoresTheAgentsIdAndCoversItByIdAndClientId() {
        KillSwitch engaged = switches().engage(KillSwitchScope.AGENT, clientId(), "runaway loop", "ada");

        assertThat(engaged.scope()).isEqualTo(KillSwitchScope.AGENT);
        assertThat(engaged.target()).isEqualTo(agent.id().toString());
        assertThat(engaged.targetName()).isEqualTo(agent.name());
        assertThat(engaged.targetClientId()).isEqualTo(clientId());
        assertThat(engaged.label()).isEqualTo(agent.name() + " (" + clientId() + ")");
        assertThat(engaged.resolved()).isTrue();
        assertThat(engaged.active()).isTrue();
        assertThat(engaged.engagedBy()).isEqualTo("ada");
        assertThat(engaged.engagedAt()).isEqualTo(NOW);
        assertThat(engaged.reason()).isEqualTo("runaway loop");
        assertThat(engaged.releaseRequestedBy()).isNull();
        assertThat(engaged.releasedBy()).isNull();

        assertThat(switches().covers(agent.id().toString(), "other-tool", "other-data"))
                .isEqualTo(new Covered(false, true, false, false));
        assertThat(switches().covers(clientId(), "other-tool", "other-data"))
                .isEqualTo(new Covered(false, true, false, false));
        assertThat(switches().covers("someone-else", tool.key(), dataset.key()).any())
                .as("another agent's calls")
                .isFalse();
        assertThat(switches().active()).containsExactly(engaged);
        assertThat(switches().unresolved()).isEmpty();
    }

    @Test
    void anAgentSwitchEngagedByTheAgentsIdCoversItsClientIdToo() {
        KillSwitch engaged = switches().engage(KillSwitchScope.AGENT, agent.id().toString(), "leak", "ada");

        assertThat(engaged.target()).isEqualTo(agent.id().toString());
        assertThat(engaged.targetClientId()).isEqualTo(clientId());
        assertThat(switches().covers(clientId(), "other-tool", "other-data").agent())
                .isTrue();
    }

    @Test
    void aToolSwitchCoversTheToolAndADatasetSwitchTheDataset() {
        KillSwitch toolSwitch = switches().engage(KillSwitchScope.TOOL, tool.key(), "bad backend", "ada");
        assertThat(toolSwitch.target()).isEqualTo(tool.key());
        assertThat(toolSwitch.targetName()).isEqualTo(tool.displayName());
        assertThat(toolSwitch.targetClientId()).isNull();
        assertThat(switches().covers("anyone", tool.key(), "other-data"))
                .isEqualTo(new Covered(false, false, true, false));
        assertThat(switches().covers("anyone", "other-tool", dataset.key()).any())
                .isFalse();

        KillSwitch datasetSwitch = switches().engage(KillSwitchScope.DATASET, dataset.key(), "mislabelled", "bob");
        assertThat(datasetSwitch.target()).isEqualTo(dataset.key());
        assertThat(datasetSwitch.targetName()).isEqualTo(dataset.displayName());
        assertThat(switches().covers("anyone", "other-tool", dataset.key()))
                .isEqualTo(new Covered(false, false, false, true));
        assertThat(switches().covers(clientId(), tool.key(), dataset.key()))
                .isEqualTo(new Covered(false, false, true, true));
        assertThat(switches().active())
                .extracting(KillSwitch::id)
                .containsExactlyInAnyOrder(toolSwitch.id(), datasetSwitch.id());
    }

    @Test
    void aGlobalSwitchCoversEveryCall() {
        KillSwitch global = switches().engage(KillSwitchScope.GLOBAL, "*", "incident", "ada");

        assertThat(global.target()).isEqualTo("*");
        assertThat(global.label()).isEqualTo("everything");
        assertThat(global.resolved()).isTrue();
        assertThat(switches().covers("anyone", "any-tool", "any-data"))
                .isEqualTo(new Covered(true, false, false, false));
        assertThat(switches().active()).containsExactly(global);
    }

    @Test
    void engagingAnEngagedSwitchIsRefusedWhicheverFormNamesTheTarget() {
        KillSwitch first = switches().engage(KillSwitchScope.AGENT, clientId(), "runaway loop", "ada");
        assertRefused(
                () -> switches().engage(KillSwitchScope.AGENT, agent.id().toString(), "again", "bob"),
                "already-engaged",
                ProblemKind.CONFLICT);
        switches().engage(KillSwitchScope.GLOBAL, "*", "incident", "ada");
        assertRefused(
                () -> switches().engage(KillSwitchScope.GLOBAL, "*", "again", "bob"),
                "already-engaged",
                ProblemKind.CONFLICT);

        assertThat(switches().active()).hasSize(2).contains(first);
        assertThat(audited)
                .extracting(AuditEvent::action)
                .containsExactly("kill_switch.engaged", "kill_switch.engaged");
    }

    @Test
    void aTargetThatNamesNothingIsRefusedAndNothingIsStored() {
        assertInvalidTarget(KillSwitchScope.AGENT, "nobody-" + run);
        assertInvalidTarget(KillSwitchScope.AGENT, UUID.randomUUID().toString());
        assertInvalidTarget(KillSwitchScope.AGENT, "   ");
        assertInvalidTarget(KillSwitchScope.TOOL, "no-such-tool");
        assertInvalidTarget(KillSwitchScope.TOOL, "");
        assertInvalidTarget(KillSwitchScope.DATASET, "no-such-data");
        assertInvalidTarget(KillSwitchScope.DATASET, dataset.key() + "x".repeat(200));

        assertThat(switches().active()).isEmpty();
        assertThat(switches()
                        .covers("nobody-" + run, "no-such-tool", "no-such-data")
                        .any())
                .isFalse();
        assertThat(audited).isEmpty();
        assertThat(published).isEmpty();
    }

    @Test
    void aReleasedSwitchCoversNothingAndSaysWhoReleasedItAndWhy() {
        KillSwitch engaged = switches().engage(KillSwitchScope.TOOL, tool.key(), "bad backend", "ada");

        KillSwitch released = switches().release(engaged.id(), "backend fixed", "bob");

        assertThat(released.id()).isEqualTo(engaged.id());
        assertThat(released.active()).isFalse();
        assertThat(released.releasedBy()).isEqualTo("bob");
        assertThat(released.releasedAt()).isEqualTo(NOW);
        assertThat(released.releaseReason()).isEqualTo("backend fixed");
        assertThat(released.engagedBy()).as("history kept").isEqualTo("ada");
        assertThat(switches().covers("anyone", tool.key(), "any-data").any()).isFalse();
        assertThat(switches().active()).isEmpty();
        assertThat(switches()
                        .engage(KillSwitchScope.TOOL, tool.key(), "again", "ada")
                        .active())
                .as("the target can be stopped again")
                .isTrue();
    }

    @Test
    void aGlobalReleaseNeedsASecondPerson() {
        KillSwitch global = switches().engage(KillSwitchScope.GLOBAL, "*", "incident", "ada");

        KillSwitch requested = switches().release(global.id(), "contained", "bob");
        assertThat(requested.active()).as("one person is not enough").isTrue();
        assertThat(requested.releaseRequestedBy()).isEqualTo("bob");
        assertThat(requested.releasedBy()).isNull();
        assertThat(switches().covers("anyone", "any-tool", "any-data").global()).isTrue();

        assertRefused(
                () -> switches().release(global.id(), "contained, really", "bob"),
                "second-person-required",
                ProblemKind.FORBIDDEN);
        assertThat(switches().covers("anyone", "any-tool", "any-data").global()).isTrue();

        KillSwitch released = switches().release(global.id(), "confirmed", "carol");
        assertThat(released.active()).isFalse();
        assertThat(released.releaseRequestedBy()).isEqualTo("bob");
        assertThat(released.releasedBy()).isEqualTo("carol");
        assertThat(released.releaseReason()).isEqualTo("confirmed");
        assertThat(switches().covers("anyone", "any-tool", "any-data").any()).isFalse();
        assertThat(switches().active()).isEmpty();
    }

    @Test
    void releasingASwitchThatIsNotEngagedIsRefused() {
        KillSwitch engaged = switches().engage(KillSwitchScope.DATASET, dataset.key(), "mislabelled", "ada");
        switches().release(engaged.id(), "relabelled", "bob");

        assertRefused(() -> switches().release(engaged.id(), "again", "carol"), "not-engaged", ProblemKind.CONFLICT);
        assertRefused(
                () -> switches().release(UUID.randomUUID(), "never was", "carol"), "not-found", ProblemKind.NOT_FOUND);
        assertThat(audited)
                .extracting(AuditEvent::action)
                .containsExactly("kill_switch.engaged", "kill_switch.released");
    }

    @Test
    void everyChangeIsAuditedAndEngagementsAndReleasesArePublished() {
        KillSwitch agentSwitch = switches().engage(KillSwitchScope.AGENT, clientId(), "runaway loop", "ada");
        KillSwitch global = switches().engage(KillSwitchScope.GLOBAL, "*", "incident", "system:self-test");
        switches().release(agentSwitch.id(), "fixed", "bob");
        switches().release(global.id(), "contained", "bob");
        switches().release(global.id(), "confirmed", "carol");

        assertThat(audited)
                .extracting(AuditEvent::action, event -> event.actor().id(), AuditEvent::target)
                .containsExactly(
                        change("kill_switch.engaged", "ada", agentSwitch.id()),
                        change("kill_switch.engaged", "self-test", global.id()),
                        change("kill_switch.released", "bob", agentSwitch.id()),
                        change("kill_switch.release_requested", "bob", global.id()),
                        change("kill_switch.released", "carol", global.id()));
        assertThat(audited.getFirst().details())
                .containsEntry("scope", "AGENT")
                .containsEntry("target", agent.id().toString())
                .containsEntry("reason", "runaway loop");
        assertThat(published)
                .containsExactly(
                        new KillSwitchEngaged(
                                agentSwitch.id(),
                                KillSwitchScope.AGENT,
                                agent.id().toString(),
                                "runaway loop",
                                "ada",
                                NOW),
                        new KillSwitchEngaged(
                                global.id(), KillSwitchScope.GLOBAL, "*", "incident", "system:self-test", NOW),
                        new KillSwitchReleased(
                                agentSwitch.id(),
                                KillSwitchScope.AGENT,
                                agent.id().toString(),
                                "fixed",
                                "bob",
                                NOW),
                        new KillSwitchReleased(global.id(), KillSwitchScope.GLOBAL, "*", "confirmed", "carol", NOW));
    }

    private static Tuple change(String action, String actor, UUID id) {
        return Tuple.tuple(action, actor, new AuditTarget("kill-switch", id.toString()));
    }

    @Test
    void aChangeThatCannotBeAuditedIsNotMade() {
        auditBroken.set(true);
        assertThatThrownBy(() -> switches().engage(KillSwitchScope.TOOL, tool.key(), "bad backend", "ada"))
                .isInstanceOf(AuditWriteFailed.class);
        assertThat(switches().active()).isEmpty();
        assertThat(switches().covers("anyone", tool.key(), "any-data").any()).isFalse();

        auditBroken.set(false);
        KillSwitch engaged = switches().engage(KillSwitchScope.TOOL, tool.key(), "bad backend", "ada");
        auditBroken.set(true);
        assertThatThrownBy(() -> switches().release(engaged.id(), "fixed", "bob"))
                .isInstanceOf(AuditWriteFailed.class);
        assertThat(switches().active()).containsExactly(engaged);
        assertThat(switches().covers("anyone", tool.key(), "any-data").tool()).isTrue();
        assertThat(published).hasSize(1);
    }

    @Test
    void listenersRunOnceTheViewCoversEachNewSwitch() {
        List<Covered> seen = new CopyOnWriteArrayList<>();
        switches().onEngaged(() -> seen.add(switches().covers(clientId(), tool.key(), "other-data")));

        KillSwitch agentSwitch = switches().engage(KillSwitchScope.AGENT, clientId(), "runaway loop", "ada");
        assertThat(seen).containsExactly(new Covered(false, true, false, false));
        switches().release(agentSwitch.id(), "fixed", "bob");
        assertThat(seen).as("a release gains nothing").hasSize(1);
        switches().engage(KillSwitchScope.TOOL, tool.key(), "bad backend", "ada");
        assertThat(seen)
                .containsExactly(new Covered(false, true, false, false), new Covered(false, false, true, false));
    }

    @Test
    void releaseListenersRunOnceTheViewNoLongerCoversTheSwitch() {
        List<Covered> seen = new CopyOnWriteArrayList<>();
        switches().onReleased(() -> seen.add(switches().covers(clientId(), tool.key(), "other-data")));

        KillSwitch agentSwitch = switches().engage(KillSwitchScope.AGENT, clientId(), "runaway loop", "ada");
        assertThat(seen).as("an engagement loses nothing").isEmpty();
        switches().release(agentSwitch.id(), "fixed", "bob");
        assertThat(seen).containsExactly(new Covered(false, false, false, false));
    }

    @Test
    void onOneInstanceAnEngagedSwitchIsInForceEverywhere() {
        KillSwitch engaged = switches().engage(KillSwitchScope.DATASET, dataset.key(), "mislabelled", "ada");

        Propagation propagation = switches().propagation(engaged.id());
        assertThat(propagation.everywhere()).isTrue();
        assertThat(propagation.confirmed()).hasSize(1);
        assertThat(switches().applied()).containsOnlyKeys(engaged.id());
        assertThat(switches().applied().get(engaged.id())).isEqualTo(new KillSwitches.Applied(1, 1));
    }

    private void assertInvalidTarget(KillSwitchScope scope, String target) {
        assertThatThrownBy(() -> switches().engage(scope, target, "why", "ada"))
                .as("%s %s", scope, target)
                .isInstanceOfSatisfying(KillSwitchRefused.class, refused -> {
                    assertThat(refused.code()).isEqualTo("invalid-target");
                    assertThat(refused.kind()).isEqualTo(ProblemKind.INVALID);
                    assertThat(refused.field()).isEqualTo("target");
                });
    }

    private static void assertRefused(Runnable change, String code, ProblemKind kind) {
        assertThatThrownBy(change::run).isInstanceOfSatisfying(KillSwitchRefused.class, refused -> {
            assertThat(refused.code()).isEqualTo(code);
            assertThat(refused.kind()).isEqualTo(kind);
        });
    }

    // ---- the registry targets are resolved against ------------------------------------------------------

    protected static AgentView agent(AgentId id, String name, String clientId) {
        return new AgentView(
                id,
                name,
                AgentKind.RETRIEVAL,
                "contract",
                AgentStatus.ACTIVE,
                "owner-1",
                clientId,
                null,
                RiskTier.LOW,
                new TreeSet<>(),
                new TreeSet<>(),
                new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                new TreeSet<>(),
                NOW,
                NOW,
                NOW,
                null,
                null,
                false,
                1);
    }

    protected static ToolView tool(String key, String name) {
        return new ToolView(key, name, "", "retrieval", new TreeSet<>(), 50, SensitivityLabel.INTERNAL, false, 1);
    }

    protected static DataScopeView dataScope(String key, String name) {
        return new DataScopeView(
                key,
                name,
                "",
                SensitivityLabel.INTERNAL,
                false,
                true,
                new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                new TreeSet<>(),
                false,
                1);
    }

    /** The registry as kill switches read it: agents by id and client id, tools and data scopes by key. */
    public static final class Registered implements AgentQueries, CatalogQueries {

        final Map<AgentId, AgentView> agents = new ConcurrentHashMap<>();
        final Map<String, ToolView> tools = new ConcurrentHashMap<>();
        final Map<String, DataScopeView> dataScopes = new ConcurrentHashMap<>();

        @Override
        public Optional<AgentView> findAgent(AgentId id) {
            return Optional.ofNullable(agents.get(id));
        }

        @Override
        public Optional<AgentView> findAgentByClientId(String clientId) {
            return agents.values().stream()
                    .filter(each -> clientId.equals(each.clientId()))
                    .findFirst();
        }

        @Override
        public AgentView get(AgentId id) {
            return findAgent(id).orElseThrow(() -> new RegistryException.NotFound("agent", id));
        }

        @Override
        public ToolView tool(String key) {
            ToolView found = tools.get(key);
            if (found == null) {
                throw new RegistryException.NotFound("tool", key);
            }
            return found;
        }

        @Override
        public DataScopeView dataScope(String key) {
            DataScopeView found = dataScopes.get(key);
            if (found == null) {
                throw new RegistryException.NotFound("data-scope", key);
            }
            return found;
        }

        @Override
        public List<ToolView> tools() {
            return List.copyOf(tools.values());
        }

        @Override
        public List<DataScopeView> dataScopes() {
            return List.copyOf(dataScopes.values());
        }

        @Override
        public Page<AgentView> search(AgentFilter filter, @Nullable Integer page, @Nullable Integer size) {
            throw new UnsupportedOperationException("kill switches do not search");
        }

        @Override
        public List<AgentId> dormantSince(Instant before) {
            throw new UnsupportedOperationException("kill switches do not ask");
        }

        @Override
        public List<AgentId> recertificationDue(Instant by) {
            throw new UnsupportedOperationException("kill switches do not ask");
        }

        @Override
        public Map<AgentId, String> ownersOfLiveAgents() {
            throw new UnsupportedOperationException("kill switches do not ask");
        }
    }
}
