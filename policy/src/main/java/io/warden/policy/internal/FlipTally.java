package io.warden.policy.internal;

import io.warden.audit.RecordedDecisions;
import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.policy.SimulationReport;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Adds up a replay: each group of identical recorded decisions with the candidate's decision of its input, compared
 * with the recorded one. A recorded allow the candidate denies (or the reverse) is a flip, counted with the group's
 * weight per agent, tool, data scope and (for new denials) reason; an allow that stays an allow is compared with the
 * decision of the recorded input itself for its obligations. Thread-safe: replays run concurrently.
 */
final class FlipTally {

    /** A report names at most this many records, whatever the number of groups that flip. */
    static final int MAX_EXAMPLES = 500;

    private long examined;
    private long notReplayable;
    private long allowToDeny;
    private long denyToAllow;
    private long obligationsChanged;
    private long maxK;
    private long deidentification;
    private long redaction;
    private long approval;
    private final Map<String, long[]> byAgent = new HashMap<>();
    private final Map<String, long[]> byTool = new HashMap<>();
    private final Map<String, long[]> byDataScope = new HashMap<>();
    private final Map<String, long[]> byReason = new HashMap<>();
    /** The records with the lowest sequences, the highest at the head: a replay of many flips holds only these. */
    private final PriorityQueue<SimulationReport.Example> examples = new PriorityQueue<>(
            Comparator.comparingLong(SimulationReport.Example::sequence).reversed());

    /** Decisions the replay could not decide again: no input recorded, or one this gateway cannot read. */
    synchronized void notReplayable(long count) {
        examined += count;
        notReplayable += count;
    }

    /**
     * One group decided again.
     *
     * @param input    its recorded input (as parsed)
     * @param baseline the decision of the recorded input itself, needed only when the group and {@code after} both
     *                 allow (for the obligations); null otherwise
     * @param after    the decision of the input with the candidate applied
     */
    synchronized void add(
            RecordedDecisions.Group group, DecisionInput input, @Nullable Decision baseline, Decision after) {
        long count = group.count();
        examined += count;
        if (group.permit() == after.allow()) {
            if (after.allow() && baseline != null && baseline.allow()) {
                obligations(count, baseline.obligations(), after.obligations());
            }
            return;
        }
        boolean denied = group.permit();
        if (denied) {
            allowToDeny += count;
        } else {
            denyToAllow += count;
        }
        String agent = agentOf(group, input);
        add(byAgent, agent, denied, count);
        add(byTool, input.tool().key(), denied, count);
        add(byDataScope, input.dataset().key(), denied, count);
        if (denied) {
            for (String reason : after.reasons()) {
                add(byReason, reason, true, count);
            }
        }
        var before = new SimulationReport.Outcome(group.permit(), group.reasons());
        var afterOutcome = new SimulationReport.Outcome(after.allow(), after.reasons());
        for (var example : group.examples()) {
            examples.add(new SimulationReport.Example(
                    example.sequence(),
                    example.time(),
                    example.agentId() == null ? agent : example.agentId(),
                    "",
                    input.tool().key(),
                    input.dataset().key(),
                    input.purposeOfUse() == null ? null : input.purposeOfUse().name(),
                    before,
                    afterOutcome));
            if (examples.size() > MAX_EXAMPLES) {
                examples.poll();
            }
        }
    }

    private void obligations(long count, Decision.Obligations before, Decision.Obligations after) {
        boolean k = before.maxK() != after.maxK();
        boolean deid = before.deidentificationRequired() != after.deidentificationRequired();
        boolean redact = !before.redactFields().equals(after.redactFields());
        boolean park = before.approvalRequired() != after.approvalRequired();
        if (k || deid || redact || park) {
            obligationsChanged += count;
        }
        maxK += k ? count : 0;
        deidentification += deid ? count : 0;
        redaction += redact ? count : 0;
        approval += park ? count : 0;
    }

    /** The agent as the audit record names it (its client id); the input's id when no record named one. */
    private static String agentOf(RecordedDecisions.Group group, DecisionInput input) {
        for (var example : group.examples()) {
            if (example.agentId() != null) {
                return example.agentId();
            }
        }
        return input.agent().id();
    }

    private static void add(Map<String, long[]> tallies, String key, boolean denied, long count) {
        tallies.computeIfAbsent(key, k -> new long[2])[denied ? 0 : 1] += count;
    }

    /**
     * The report.
     *
     * @param agentName an agent's name from its client id (people see names)
     */
    synchronized SimulationReport report(
            Instant from, Instant to, String candidateSha256, long baseVersion, Function<String, String> agentName) {
        Map<String, String> names = new HashMap<>();
        Function<String, String> name = id -> names.computeIfAbsent(id, agentName);
        List<SimulationReport.Example> named = examples.stream()
                .sorted(Comparator.comparingLong(SimulationReport.Example::sequence))
                .limit(MAX_EXAMPLES)
                .map(e -> new SimulationReport.Example(
                        e.sequence(),
                        e.time(),
                        e.agentId(),
                        name.apply(e.agentId()),
                        e.tool(),
                        e.dataScope(),
                        e.purposeOfUse(),
                        e.before(),
                        e.after()))
                .toList();
        return new SimulationReport(
                from,
                to,
                candidateSha256,
                baseVersion,
                examined,
                notReplayable,
                new SimulationReport.Flips(allowToDeny + denyToAllow, allowToDeny, denyToAllow),
                new SimulationReport.ObligationChanges(obligationsChanged, maxK, deidentification, redaction, approval),
                tallies(byAgent, name),
                tallies(byTool, Function.identity()),
                tallies(byDataScope, Function.identity()),
                tallies(byReason, Function.identity()),
                named);
    }

    private static List<SimulationReport.Tally> tallies(Map<String, long[]> tallies, Function<String, String> name) {
        return tallies.entrySet().stream()
                .map(e -> new SimulationReport.Tally(
                        e.getKey(), Objects.requireNonNull(name.apply(e.getKey())), e.getValue()[0], e.getValue()[1]))
                .sorted(Comparator.comparingLong((SimulationReport.Tally t) -> -(t.allowToDeny() + t.denyToAllow()))
                        .thenComparing(SimulationReport.Tally::key))
                .toList();
    }
}
