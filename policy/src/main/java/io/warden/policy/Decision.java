package io.warden.policy;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A decision: allow or deny, the stable reason codes (every failed rule for a deny, in rule order), and
 * the obligations the gateway must apply to an allowed call.
 *
 * @param decisionId     the decision point's own id for it (OPA's {@code decision_id}), kept in the audit record
 * @param policyRevision the revision of the policy that decided, as the decision point reported it (OPA's bundle
 *                       revisions); null when it reports none (the embedded decision point is versioned with the
 *                       release)
 */
public record Decision(
        boolean allow,
        List<String> reasons,
        Obligations obligations,
        @Nullable String decisionId,
        @Nullable String policyRevision) {

    public Decision {
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(obligations, "obligations");
    }

    /** A decision whose decision point reports no policy revision. */
    public Decision(boolean allow, List<String> reasons, Obligations obligations, @Nullable String decisionId) {
        this(allow, reasons, obligations, decisionId, null);
    }

    /**
     * What an allowed call must be made to respect.
     *
     * @param maxK                     cap the request's k at this
     * @param datasets                 keep only results from these datasets
     * @param redactFields             remove these fields from results
     * @param deidentificationRequired return de-identified results only
     * @param approvalRequired         park the call until a person approves its exact arguments
     * @param breakGlass               an emergency access: flag it, tell compliance, and have it reviewed
     */
    public record Obligations(
            int maxK,
            List<String> datasets,
            List<String> redactFields,
            boolean deidentificationRequired,
            boolean approvalRequired,
            boolean breakGlass) {

        public Obligations {
            datasets = List.copyOf(datasets);
            redactFields = List.copyOf(redactFields);
        }

        public Obligations(
                int maxK, List<String> datasets, List<String> redactFields, boolean deidentificationRequired) {
            this(maxK, datasets, redactFields, deidentificationRequired, false, false);
        }

        public static Obligations none() {
            return new Obligations(0, List.of(), List.of(), false);
        }
    }
}
