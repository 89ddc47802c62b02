package io.warden.policy;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a candidate would have changed in a range of recorded decisions. Every count is of decisions (a record of
 * repeated refusals counts as many as it stands for).
 *
 * @param candidateSha256       SHA-256 of the candidate's canonical JSON, as the audit record names it
 * @param basePolicyDataVersion the policy data version the candidate is a patch over
 * @param decisionsExamined     decision records in the range
 * @param notReplayable         of them, those without a recorded input (refused before the decision point)
 * @param flips                 decisions the candidate decides the other way
 * @param obligationChanges     allowed decisions that stay allowed but with other obligations
 * @param byAgent               flips per agent, most first
 * @param byTool                flips per tool, most first
 * @param byDataScope           flips per data scope, most first
 * @param byReason              allow → deny flips per reason the candidate denies them for, most first
 * @param examples              records that flip, by sequence
 */
public record SimulationReport(
        Instant from,
        Instant to,
        String candidateSha256,
        long basePolicyDataVersion,
        long decisionsExamined,
        long notReplayable,
        Flips flips,
        ObligationChanges obligationChanges,
        List<Tally> byAgent,
        List<Tally> byTool,
        List<Tally> byDataScope,
        List<Tally> byReason,
        List<Example> examples) {

    public SimulationReport {
        byAgent = List.copyOf(byAgent);
        byTool = List.copyOf(byTool);
        byDataScope = List.copyOf(byDataScope);
        byReason = List.copyOf(byReason);
        examples = List.copyOf(examples);
    }

    /** Flips in total and per direction. */
    public record Flips(long total, long allowToDeny, long denyToAllow) {}

    /**
     * Allows that stay allows with other obligations: in total, and per obligation (one decision may change several).
     */
    public record ObligationChanges(long total, long maxK, long deidentification, long redaction, long approval) {}

    /**
     * Flips of one agent, tool, data scope or reason.
     *
     * @param key  the agent's client id, the tool's or scope's key, or the reason code
     * @param name the agent's name (people see names); for the others, the key
     */
    public record Tally(String key, String name, long allowToDeny, long denyToAllow) {}

    /**
     * One recorded decision that flips.
     *
     * @param sequence the audit record's sequence number
     */
    public record Example(
            long sequence,
            Instant time,
            String agentId,
            String agentName,
            String tool,
            String dataScope,
            @Nullable String purposeOfUse,
            Outcome before,
            Outcome after) {}

    /** A decision's answer: allow or deny, with its reasons. */
    public record Outcome(boolean allow, List<String> reasons) {

        public Outcome {
            reasons = List.copyOf(reasons);
        }
    }
}
