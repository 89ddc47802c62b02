package io.warden.lifecycle.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.audit.AuditEvent;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.AgentViews;
import io.warden.registry.IdentityProvisioner;
import io.warden.registry.Page;
import io.warden.registry.events.AgentStatusChanged;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The identity follows the agent's status as it stands when the event is delivered, however late or often that is. */
class IdentityLifecycleTests {

    final AgentId id = new AgentId(UUID.randomUUID());
    AgentStatus status = AgentStatus.ACTIVE;

    @Nullable
    String clientId = "agent-1";
    /** What the provider was asked, in order; a hook may change the status meanwhile, as a racing request would. */
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Nullable
    Runnable whileDisabling;

    final RecordingAuditLog audit = new RecordingAuditLog();
    final IdentityLifecycle lifecycle = new IdentityLifecycle(queries(), provisioner(), audit);

    @Test
    void aRetiredAgentsIdentityIsRemovedAndTheRemovalAuditedWithItsClientId() {
        status = AgentStatus.RETIRED;
        lifecycle.follow(changed(AgentStatus.ACTIVE, AgentStatus.RETIRED));
        assertThat(calls).containsExactly("remove agent-1");
        AuditEvent record = audit.events.getFirst();
        assertThat(record.action()).isEqualTo("identity.removed");
        assertThat(record.agentId()).isEqualTo(id.toString());
        assertThat(record.details()).containsEntry("clientId", "agent-1").containsEntry("statusChangedBy", "person-1");
    }

    @Test
    void aRedeliveredEventActsAgainButIsRecordedUnderTheSameSourceId() {
        status = AgentStatus.RETIRED;
        AgentStatusChanged event = changed(AgentStatus.SUSPENDED, AgentStatus.RETIRED);
        lifecycle.follow(event);
        lifecycle.follow(event);
        assertThat(calls).containsExactly("remove agent-1", "remove agent-1");
        assertThat(audit.events)
                .extracting(AuditEvent::sourceId)
                .containsOnly(audit.events.getFirst().sourceId())
                .hasSize(2);
    }

    @Test
    void aSuspensionDeliveredAfterTheReinstatementLeavesTheIdentityEnabled() {
        status = AgentStatus.ACTIVE; // reinstated before the suspension's delivery ran
        lifecycle.follow(changed(AgentStatus.ACTIVE, AgentStatus.SUSPENDED));
        assertThat(calls).containsExactly("enable agent-1");
    }

    @Test
    void aReinstatementWhileDisablingIsFollowedByEnabling() {
        status = AgentStatus.SUSPENDED;
        whileDisabling = () -> status = AgentStatus.ACTIVE;
        lifecycle.follow(changed(AgentStatus.ACTIVE, AgentStatus.SUSPENDED));
        assertThat(calls).containsExactly("disable agent-1", "enable agent-1");
        assertThat(audit.events)
                .extracting(AuditEvent::action)
                .containsExactly("identity.disabled", "identity.enabled");
    }

    @Test
    void aStatusThatKeepsChangingFailsTheDeliverySoItIsDeliveredAgain() {
        status = AgentStatus.SUSPENDED;
        IdentityProvisioner flapping = new IdentityProvisioner() {
            public String provision(AgentView agent) {
                throw new UnsupportedOperationException();
            }

            public void disable(AgentView agent) {
                status = AgentStatus.ACTIVE;
            }

            public void enable(AgentView agent) {
                status = AgentStatus.SUSPENDED;
            }

            public void remove(AgentView agent) {
                throw new UnsupportedOperationException();
            }
        };
        assertThatThrownBy(() -> new IdentityLifecycle(queries(), flapping, audit)
                        .follow(changed(AgentStatus.ACTIVE, AgentStatus.SUSPENDED)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("delivered again");
    }

    @Test
    void anAgentWithoutAnIdentityIsLeftAlone() {
        clientId = null;
        status = AgentStatus.RETIRED;
        lifecycle.follow(changed(AgentStatus.PENDING_APPROVAL, AgentStatus.RETIRED));
        assertThat(calls).isEmpty();
        assertThat(audit.events).isEmpty();
    }

    @Test
    void onlyRetirementSuspensionAndReinstatementConcernTheIdentity() {
        assertThat(IdentityLifecycle.concernsIdentity(changed(AgentStatus.ACTIVE, AgentStatus.RETIRED)))
                .isTrue();
        assertThat(IdentityLifecycle.concernsIdentity(changed(AgentStatus.DRAFT, AgentStatus.RETIRED)))
                .isTrue();
        assertThat(IdentityLifecycle.concernsIdentity(changed(AgentStatus.ACTIVE, AgentStatus.SUSPENDED)))
                .isTrue();
        assertThat(IdentityLifecycle.concernsIdentity(changed(AgentStatus.SUSPENDED, AgentStatus.ACTIVE)))
                .isTrue();
        assertThat(IdentityLifecycle.concernsIdentity(changed(AgentStatus.PENDING_APPROVAL, AgentStatus.ACTIVE)))
                .as("activation: onboarding provisions")
                .isFalse();
        assertThat(IdentityLifecycle.concernsIdentity(changed(AgentStatus.DRAFT, AgentStatus.PENDING_APPROVAL)))
                .isFalse();
    }

    private AgentStatusChanged changed(AgentStatus from, AgentStatus to) {
        return new AgentStatusChanged(id, from, to, "test", "person-1", Instant.EPOCH);
    }

    private AgentQueries queries() {
        return new AgentQueries() {
            public Optional<AgentView> findAgent(AgentId agentId) {
                return Optional.of(AgentViews.anAgent()
                        .withId(agentId)
                        .withName("Agent one")
                        .withPurpose("p")
                        .withStatus(status)
                        .withClientId(clientId)
                        .build());
            }

            public Optional<AgentView> findAgentByClientId(String clientId) {
                throw new UnsupportedOperationException();
            }

            public List<AgentId> dormantSince(Instant before) {
                throw new UnsupportedOperationException();
            }

            public List<AgentId> recertificationDue(Instant by) {
                throw new UnsupportedOperationException();
            }

            public Map<AgentId, String> ownersOfLiveAgents() {
                throw new UnsupportedOperationException();
            }

            public AgentView get(AgentId id) {
                throw new UnsupportedOperationException();
            }

            public Page<AgentView> search(AgentFilter filter, @Nullable Integer page, @Nullable Integer size) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private IdentityProvisioner provisioner() {
        return new IdentityProvisioner() {
            public String provision(AgentView agent) {
                throw new UnsupportedOperationException();
            }

            public void disable(AgentView agent) {
                calls.add("disable " + agent.clientId());
                if (whileDisabling != null) {
                    Runnable hook = whileDisabling;
                    whileDisabling = null;
                    hook.run();
                }
            }

            public void enable(AgentView agent) {
                calls.add("enable " + agent.clientId());
            }

            public void remove(AgentView agent) {
                calls.add("remove " + agent.clientId());
            }
        };
    }
}
