package io.warden.policy;

/**
 * Port to the policy decision: {@code EmbeddedPolicyDecisionPoint} (in-process, the default) or
 * {@code OpaPolicyDecisionPoint} (an Open Policy Agent server). Both implement the same policy and pass the
 * same decision vectors. Thread-safe. A decision point that cannot decide (timeout, error, malformed
 * answer) returns a deny with {@link ReasonCodes#DECISION_UNAVAILABLE}: never an allow, never an exception.
 */
public interface PolicyDecisionPoint {

    Decision decide(DecisionInput input);

    /**
     * Which decision point this is, as decision records name it: {@code embedded} or {@code opa}. A decision point
     * that wraps another (metrics, tests) names the one that decides.
     */
    default String engine() {
        return "embedded";
    }
}
