package io.warden.policy.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.RecordedDecisions;
import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.policy.PolicyCandidate;
import io.warden.policy.PolicyData;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.policy.PolicySimulations;
import io.warden.policy.ReasonCodes;
import io.warden.policy.SimulationRefused;
import io.warden.policy.SimulationReport;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Replays recorded decisions with a candidate's rules: the audit trail groups the range's decision records by input,
 * decision and reasons, each distinct input is parsed once, the candidate's rules put into it
 * ({@link PolicyData#apply}) and decided by the configured decision point, at most {@link #CONCURRENT_DECISIONS} at a
 * time (an OPA server is asked no harder than that). A decision point that fails on any input fails the whole
 * simulation: a report with holes would read as "nothing flips there". Thread-safe.
 */
final class ReplaySimulator implements PolicySimulations {

    /** Decisions asked at once: enough to keep an OPA sidecar busy, few enough not to crowd out the gateway's own. */
    static final int CONCURRENT_DECISIONS = 8;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private final RecordedDecisions recorded;
    private final CurrentPolicyData policyData;
    private final PolicyDecisionPoint decisionPoint;
    private final AuditLog audit;
    private final Function<String, String> agentNames;

    /**
     * @param agentNames an agent's name from its client id (its id when it is not registered)
     */
    ReplaySimulator(
            RecordedDecisions recorded,
            CurrentPolicyData policyData,
            PolicyDecisionPoint decisionPoint,
            AuditLog audit,
            Function<String, String> agentNames) {
        this.recorded = recorded;
        this.policyData = policyData;
        this.decisionPoint = decisionPoint;
        this.audit = audit;
        this.agentNames = agentNames;
    }

    @Override
    public SimulationReport simulate(Simulation simulation) {
        PolicyData base = policyData.current();
        PolicyData candidate = simulation.candidate().over(base, "candidate");
        String digest = sha256(simulation.candidate());
        FlipTally tally = new FlipTally();
        tally.notReplayable(recorded.summary(simulation.from(), simulation.to()).withoutInput());
        AtomicReference<@Nullable RuntimeException> failure = new AtomicReference<>();
        Semaphore slots = new Semaphore(CONCURRENT_DECISIONS);
        try (ExecutorService replays = Executors.newVirtualThreadPerTaskExecutor()) {
            recorded.forEachGroup(simulation.from(), simulation.to(), simulation.examples(), group -> {
                RuntimeException failed = failure.get();
                if (failed != null) {
                    throw failed; // stops reading the trail: the report is lost anyway
                }
                slots.acquireUninterruptibly();
                replays.execute(() -> {
                    try {
                        replay(group, candidate, tally);
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        slots.release();
                    }
                });
            });
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
        RuntimeException failed = failure.get();
        if (failed instanceof SimulationRefused refused) {
            throw refused;
        }
        if (failed != null) {
            throw failed;
        }
        SimulationReport report = tally.report(simulation.from(), simulation.to(), digest, base.version(), agentNames);
        audit.append(AuditEvent.builder(
                        "policy.simulated",
                        AuditActor.person(simulation.personId()),
                        new AuditTarget("policy-candidate", digest))
                .detail("from", simulation.from())
                .detail("to", simulation.to())
                .detail("candidateSha256", digest)
                .detail("basePolicyData", base.version())
                .detail("decisionsExamined", report.decisionsExamined())
                .detail("notReplayable", report.notReplayable())
                .detail("flips", report.flips().total())
                .detail("allowToDeny", report.flips().allowToDeny())
                .detail("denyToAllow", report.flips().denyToAllow())
                .detail("obligationChanges", report.obligationChanges().total())
                .detail("description", simulation.description() == null ? null : truncated(simulation.description()))
                .build());
        return report;
    }

    private void replay(RecordedDecisions.Group group, PolicyData candidate, FlipTally tally) {
        DecisionInput input;
        try {
            // the record's own time is the decision's time; the input leaves it out so identical calls group
            input = DecisionJson.input(
                    JSON.readTree(group.input()), group.examples().getFirst().time());
        } catch (RuntimeException e) {
            // an input this gateway cannot read (another format version, a damaged record) cannot be replayed
            tally.notReplayable(group.count());
            return;
        }
        Decision after = decide(candidate.apply(input));
        Decision baseline = group.permit() && after.allow() ? decide(input) : null;
        tally.add(group, input, baseline, after);
    }

    private Decision decide(DecisionInput input) {
        Decision decision = decisionPoint.decide(input);
        if (decision.reasons().contains(ReasonCodes.DECISION_UNAVAILABLE)) {
            throw SimulationRefused.unavailable(
                    "The decision point could not decide a replayed input; nothing is reported. Try again when it"
                            + " answers (see the gateway's log for why it did not)");
        }
        return decision;
    }

    private static String sha256(PolicyCandidate candidate) {
        try {
            byte[] canonical = CANONICAL.writeValueAsString(candidate).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String truncated(String text) {
        return text.length() <= 256 ? text : text.substring(0, 256);
    }
}
