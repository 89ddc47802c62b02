package io.warden.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentUpdates;
import io.warden.registry.ApprovalId;
import io.warden.registry.Commands;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.RiskTier;
import io.warden.registry.Role;
import io.warden.registry.events.AgentRegistered;
import io.warden.registry.events.AgentStatusChanged;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AgentTests {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private final Actor owner = Actor.person("owner-1", Set.of(Role.OWNER));
    private final Actor admin = Actor.person("admin-1", Set.of(Role.ADMIN));

    private Agent draft() {
        var command = new Commands.RegisterAgent(
                "Wound classifier",
                AgentKind.RAG_CLASSIFIER,
                "Classifies wounds",
                null,
                null,
                new TreeSet<>(Set.of("wounds")),
                new TreeSet<>(Set.of("classify")),
                new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                false);
        return Agent.register(
                new AgentId(UUID.randomUUID()), command, owner.id(), RiskTier.LOW, null, false, owner, NOW);
    }

    @Test
    void registrationStartsInDraftAndRecordsTheEvent() {
        Agent agent = draft();
        assertThat(agent.status()).isEqualTo(AgentStatus.DRAFT);
        assertThat(agent.drainEvents()).singleElement().isInstanceOfSatisfying(AgentRegistered.class, event -> {
            assertThat(event.requestedScopes()).containsExactly("wounds");
            assertThat(event.actorId()).isEqualTo("owner-1");
        });
        assertThat(agent.drainEvents()).isEmpty();
    }

    @Test
    void activationGrantsTheApprovedScopesAndSetsTheRecertificationDate() {
        Agent agent = draft();
        agent.submit(owner, NOW);
        agent.activate(
                new ApprovalId(UUID.randomUUID()),
                new TreeSet<>(Set.of("wounds")),
                new TreeSet<>(Set.of("classify")),
                new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                RiskTier.MODERATE,
                NOW.plusSeconds(90),
                admin,
                NOW);
        assertThat(agent.status()).isEqualTo(AgentStatus.ACTIVE);
        assertThat(agent.dataScopes()).containsExactly("wounds");
        assertThat(agent.view().purposesOfUse()).containsExactly(PurposeOfUse.TREAT);
        assertThat(agent.riskTier()).isEqualTo(RiskTier.MODERATE);
        assertThat(agent.recertifyBy()).isEqualTo(NOW.plusSeconds(90));
        assertThat(agent.drainEvents())
                .filteredOn(AgentStatusChanged.class::isInstance)
                .hasSize(2);
    }

    @Test
    void suspendingADraftFailsNamingTheCurrentStatus() {
        Agent agent = draft();
        assertThatThrownBy(() -> agent.suspend("risky", admin, NOW))
                .isInstanceOfSatisfying(RegistryException.IllegalStatusTransition.class, e -> {
                    assertThat(e.getMessage()).contains("is DRAFT");
                    assertThat(e.properties()).containsEntry("currentStatus", "DRAFT");
                    assertThat(e.code()).isEqualTo("illegal-status-transition");
                });
        assertThat(agent.status()).isEqualTo(AgentStatus.DRAFT);
    }

    @Test
    void reinstateOnlyFromSuspended() {
        Agent agent = draft();
        agent.submit(owner, NOW);
        assertThatThrownBy(() -> agent.reinstate("back", admin, NOW))
                .isInstanceOf(RegistryException.IllegalStatusTransition.class)
                .hasMessageContaining("PENDING_APPROVAL");
    }

    @Test
    void retiredAgentsCannotChange() {
        Agent agent = draft();
        agent.retire("not needed", owner, NOW);
        assertThatThrownBy(() -> agent.submit(owner, NOW)).hasMessageContaining("is RETIRED");
        assertThatThrownBy(() -> agent.changeOwner("someone-else", "leaving", admin, NOW))
                .hasMessageContaining("is RETIRED");
        assertThatThrownBy(() -> agent.retire("again", admin, NOW)).hasMessageContaining("is RETIRED");
    }

    @Test
    void requestedScopesChangeOnlyInDraft() {
        Agent agent = draft();
        agent.submit(owner, NOW);
        var update = AgentUpdates.anUpdate("New name", "New purpose", 2)
                .requestingScopes("other")
                .build();
        assertThatThrownBy(() -> agent.updateMetadata(update, RiskTier.LOW, owner, NOW))
                .hasMessageContaining("PENDING_APPROVAL")
                .hasMessageContaining("only a DRAFT");
        assertThat(agent.name()).isEqualTo("Wound classifier");
    }
}
