package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRecord;
import io.warden.audit.RecordedDecisions;
import io.warden.policy.PolicyCandidate;
import io.warden.policy.PolicyData;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.policy.PolicySimulations;
import io.warden.policy.SimulationRefused;
import io.warden.policy.SimulationReport;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The replay and its tally without a database: recorded groups built from the decision vectors (each vector's input
 * without its time, recorded with the vector's expected decision), decided again by the embedded decision point and
 * by the OPA client against the fake OPA of {@link OpaPolicyDecisionPointTests}.
 */
class ReplaySimulatorTests {

    static final Instant FROM = Instant.parse("2020-01-01T00:00:00Z");
    static final Instant TO = FROM.plus(Duration.ofDays(90));

    /** The vectors as recorded decisions: sequence i + 1, one record each, the vector's own time. */
    static List<RecordedDecisions.Group> vectorGroups() throws Exception {
        List<RecordedDecisions.Group> groups = new ArrayList<>();
        long sequence = 0;
        for (JsonNode vector : DecisionVectorsTests.vectors().get("cases")) {
            ObjectNode input = (ObjectNode) vector.get("input").deepCopy();
            Instant time = Instant.parse(input.remove("time").asString());
            List<String> reasons = new ArrayList<>();
            vector.get("expected").get("reasons").forEach(r -> reasons.add(r.asString()));
            groups.add(new RecordedDecisions.Group(
                    input.toString(),
                    vector.get("expected").get("allow").asBoolean(),
                    reasons,
                    1,
                    List.of(new RecordedDecisions.Example(++sequence, time, "agent-" + sequence))));
        }
        return groups;
    }

    record Recorded(List<RecordedDecisions.Group> groups, long withoutInput) implements RecordedDecisions {
        @Override
        public Summary summary(Instant from, Instant to) {
            return new Summary(groups.stream().mapToLong(Group::count).sum() + withoutInput, withoutInput);
        }

        @Override
        public void forEachGroup(Instant from, Instant to, int examples, Consumer<Group> sink) {
            groups.forEach(sink);
        }
    }

    static final class Audit implements AuditLog {
        final List<AuditEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public AuditRecord append(AuditEvent event) {
            events.add(event);
            return new AuditRecord(events.size(), Instant.EPOCH, 1, event, new byte[32]);
        }

        @Override
        public CompletableFuture<AuditRecord> appendQueued(AuditEvent event) {
            return CompletableFuture.completedFuture(append(event));
        }
    }

    final Audit audit = new Audit();

    ReplaySimulator simulator(List<RecordedDecisions.Group> groups, PolicyData base, PolicyDecisionPoint pdp) {
        return new ReplaySimulator(new Recorded(groups, 2), () -> base, pdp, audit, id -> "Name of " + id);
    }

    static PolicyData empty() {
        return new PolicyData(7, FROM, Map.of(), Map.of());
    }

    static PolicySimulations.Simulation simulation(PolicyCandidate candidate) {
        return new PolicySimulations.Simulation(FROM, TO, candidate, 3, null, "person-1");
    }

    @Test
    void replayingTheVectorsUnchangedFlipsNothing() throws Exception {
        var groups = vectorGroups();
        SimulationReport report = simulator(groups, empty(), new EmbeddedPolicyDecisionPoint())
                .simulate(simulation(new PolicyCandidate(Map.of(), Map.of())));
        assertThat(report.decisionsExamined()).isEqualTo(groups.size() + 2);
        assertThat(report.notReplayable()).isEqualTo(2);
        assertThat(report.flips().total()).isZero();
        assertThat(report.obligationChanges().total()).isZero();
        assertThat(report.basePolicyDataVersion()).isEqualTo(7);
        assertThat(audit.events).singleElement().satisfies(event -> {
            assertThat(event.action()).isEqualTo("policy.simulated");
            assertThat(event.actor().id()).isEqualTo("person-1");
            assertThat(event.details())
                    .containsEntry("flips", "0")
                    .containsEntry("candidateSha256", report.candidateSha256());
        });
    }

    @Test
    void removingThePurposeFlipsTheAllowThatUsedItWithItsWeightAndNames() throws Exception {
        RecordedDecisions.Group allowed = vectorGroups().getFirst();
        assertThat(allowed.permit()).as("the first vector is an allow").isTrue();
        var weighted = new RecordedDecisions.Group(allowed.input(), true, List.of(), 40, allowed.examples());
        var scope = new PolicyData.ScopeRules(
                SensitivityLabel.INTERNAL,
                false,
                true,
                Set.of(PurposeOfUse.TREAT, PurposeOfUse.HOPERAT, PurposeOfUse.HRESCH),
                Set.of(),
                false);
        var base = new PolicyData(3, FROM, Map.of("imaging-ct-deid", scope), Map.of());
        var candidate = new PolicyCandidate(
                Map.of(
                        "imaging-ct-deid",
                        new PolicyCandidate.ScopePatch(List.of(PurposeOfUse.HRESCH), null, null, null, null, null)),
                Map.of());

        SimulationReport report = simulator(List.of(weighted), base, new EmbeddedPolicyDecisionPoint())
                .simulate(simulation(candidate));

        assertThat(report.flips()).isEqualTo(new SimulationReport.Flips(40, 40, 0));
        assertThat(report.byAgent()).containsExactly(new SimulationReport.Tally("agent-1", "Name of agent-1", 40, 0));
        assertThat(report.byDataScope()).extracting(SimulationReport.Tally::key).containsExactly("imaging-ct-deid");
        assertThat(report.byReason()).isNotEmpty().allMatch(tally -> tally.allowToDeny() == 40);
        assertThat(report.examples()).singleElement().satisfies(example -> {
            assertThat(example.sequence()).isEqualTo(1);
            assertThat(example.agentName()).isEqualTo("Name of agent-1");
            assertThat(example.before().allow()).isTrue();
            assertThat(example.after().allow()).isFalse();
            assertThat(example.purposeOfUse()).isEqualTo("TREAT");
        });
    }

    @Test
    void aCandidateNamingWhatThePolicyDoesNotKnowIsRefusedNamingTheField() {
        var candidate = new PolicyCandidate(
                Map.of("nope", new PolicyCandidate.ScopePatch(null, null, null, true, null, null)), Map.of());
        assertThatThrownBy(() -> simulator(List.of(), empty(), new EmbeddedPolicyDecisionPoint())
                        .simulate(simulation(candidate)))
                .isInstanceOfSatisfying(
                        SimulationRefused.class,
                        refused -> assertThat(refused.field()).isEqualTo("candidate.dataScopes.nope"));
        assertThat(audit.events).isEmpty();
    }

    @Test
    void replayGoesToOpaAndAFailingOpaFailsTheWholeSimulation() throws Exception {
        var opa = new OpaPolicyDecisionPointTests();
        opa.start();
        try {
            var groups = vectorGroups();
            SimulationReport report = simulator(groups, empty(), opa.client(Duration.ofSeconds(5)))
                    .simulate(simulation(new PolicyCandidate(Map.of(), Map.of())));
            assertThat(report.flips().total()).isZero();
            assertThat(report.decisionsExamined()).isEqualTo(groups.size() + 2);
            assertThat(opa.paths).hasSizeGreaterThanOrEqualTo(groups.size());

            opa.mode.set("error");
            assertThatThrownBy(() -> simulator(groups, empty(), opa.client(Duration.ofSeconds(5)))
                            .simulate(simulation(new PolicyCandidate(Map.of(), Map.of()))))
                    .isInstanceOfSatisfying(
                            SimulationRefused.class,
                            refused -> assertThat(refused.code()).isEqualTo("decision-point-unavailable"));
            assertThat(audit.events).as("no report, no record of one").hasSize(1);
        } finally {
            opa.stop();
        }
    }
}
