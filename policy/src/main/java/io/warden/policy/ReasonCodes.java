package io.warden.policy;

/** The stable reason codes of decisions; they appear in audit records and problem documents. */
public final class ReasonCodes {

    public static final String KILL_SWITCH = "KILL_SWITCH";
    public static final String AGENT_SUSPENDED = "AGENT_SUSPENDED";
    public static final String AGENT_RETIRED = "AGENT_RETIRED";
    public static final String AGENT_NOT_ACTIVE = "AGENT_NOT_ACTIVE";
    public static final String OWNER_INACTIVE = "OWNER_INACTIVE";
    public static final String TOOL_NOT_GRANTED = "TOOL_NOT_GRANTED";
    public static final String REQUIRED_SCOPE_NOT_GRANTED = "REQUIRED_SCOPE_NOT_GRANTED";
    public static final String SCOPE_NOT_GRANTED = "SCOPE_NOT_GRANTED";
    public static final String SENSITIVITY_ABOVE_CLEARANCE = "SENSITIVITY_ABOVE_CLEARANCE";
    public static final String DATASET_ABOVE_TOOL_SENSITIVITY = "DATASET_ABOVE_TOOL_SENSITIVITY";
    public static final String PHI_NOT_APPROVED = "PHI_NOT_APPROVED";
    public static final String PURPOSE_REQUIRED = "PURPOSE_REQUIRED";
    public static final String PURPOSE_NOT_GRANTED = "PURPOSE_NOT_GRANTED";
    public static final String PURPOSE_NOT_ALLOWED = "PURPOSE_NOT_ALLOWED";
    public static final String DECISION_UNAVAILABLE = "DECISION_UNAVAILABLE";
    public static final String AGENT_UNKNOWN = "AGENT_UNKNOWN";
    public static final String UNKNOWN_TOOL = "UNKNOWN_TOOL";
    public static final String UNKNOWN_DATASET = "UNKNOWN_DATASET";
    public static final String RATE_LIMITED = "RATE_LIMITED";
    /** The agent's daily or monthly call quota for the tool is spent; Retry-After says when it resets. */
    public static final String QUOTA_EXHAUSTED = "QUOTA_EXHAUSTED";
    /** The shared rate-limit store could not be reached, so the call is refused (fail closed). */
    public static final String RATE_LIMIT_UNAVAILABLE = "RATE_LIMIT_UNAVAILABLE";

    /**
     * This instance has as many calls in flight as it is set to serve; the call was refused before anything ran and
     * may be retried after the Retry-After the answer gives.
     */
    public static final String OVERLOADED = "OVERLOADED";

    /** A call on a person's behalf on a data scope the person holds no entitlement to. */
    public static final String PERSON_SCOPE_NOT_ENTITLED = "PERSON_SCOPE_NOT_ENTITLED";
    /** A call on a person's behalf for a purpose of use the person does not hold on the data scope. */
    public static final String PERSON_PURPOSE_NOT_ENTITLED = "PERSON_PURPOSE_NOT_ENTITLED";
    /** Emergency treatment (ETREAT, break-the-glass) without a written justification. */
    public static final String BREAK_GLASS_JUSTIFICATION_REQUIRED = "BREAK_GLASS_JUSTIFICATION_REQUIRED";
    /** Emergency treatment asked by an agent on its own: it is only ever on behalf of a person. */
    public static final String BREAK_GLASS_PERSON_REQUIRED = "BREAK_GLASS_PERSON_REQUIRED";
    /** Emergency treatment on behalf of a person outside every break-glass group. */
    public static final String BREAK_GLASS_NOT_PERMITTED = "BREAK_GLASS_NOT_PERMITTED";
    /** The call waits for a person's approval of its exact arguments (REST 202, MCP URL elicitation). */
    public static final String APPROVAL_REQUIRED = "APPROVAL_REQUIRED";
    /**
     * The approval the call presents is unknown, not yet granted, refused, expired, used, another agent's or for
     * other arguments.
     */
    public static final String APPROVAL_INVALID = "APPROVAL_INVALID";

    public static final String AUDIT_UNAVAILABLE = "AUDIT_UNAVAILABLE";
    public static final String RETRIEVAL_UNAVAILABLE = "RETRIEVAL_UNAVAILABLE";
    public static final String INVALID_REQUEST = "INVALID_REQUEST";
    /** The policy requires de-identified results and this tool cannot provide them. */
    public static final String DEIDENTIFICATION_UNAVAILABLE = "DEIDENTIFICATION_UNAVAILABLE";

    /** A call on a PHI dataset to a backend not approved to receive PHI. */
    public static final String BACKEND_NOT_PHI_APPROVED = "BACKEND_NOT_PHI_APPROVED";
    /** The backend's host is not on the egress allowlist, or resolves to an address that is refused. */
    public static final String EGRESS_REFUSED = "EGRESS_REFUSED";

    public static final String UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE";
    public static final String UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT";
    /** The backend's answer was larger than the tool's limit, so it was not served. */
    public static final String RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE";
    /** The tool has several data scopes and the call named none. */
    public static final String DATASET_REQUIRED = "DATASET_REQUIRED";
    /** The call's dataset is not one of the data scopes registered for the tool. */
    public static final String DATASET_NOT_REGISTERED = "DATASET_NOT_REGISTERED";

    /** The cohort's builder agent is not ACTIVE (suspended, retired, ...), so its cohort is not served. */
    public static final String COHORT_NOT_SERVED = "COHORT_NOT_SERVED";

    /** The call names no governed collection of that name, or one that is retired. */
    public static final String COLLECTION_UNKNOWN = "COLLECTION_UNKNOWN";
    /** The collection belongs to another data scope than the call's dataset: a collection is read within its scope. */
    public static final String COLLECTION_NOT_IN_SCOPE = "COLLECTION_NOT_IN_SCOPE";

    /** rag-classify: no labelled case the agent may read was found, so there is nothing to ask the model about. */
    public static final String RAG_NO_CASES = "RAG_NO_CASES";
    /** rag-classify: the model refused to answer (a refusal, a content filter) or declined to name a label. */
    public static final String MODEL_REFUSED = "MODEL_REFUSED";
    /**
     * rag-classify: the model's answer is not the JSON asked for, names a label no case carries, or cites a case it was
     * not given: an error, never a guessed label.
     */
    public static final String MODEL_ANSWER_INVALID = "MODEL_ANSWER_INVALID";

    /** An AuthZEN caller that is not an ACTIVE, un-switched policy enforcement point (issue 22). */
    public static final String NOT_A_POLICY_ENFORCEMENT_POINT = "NOT_A_POLICY_ENFORCEMENT_POINT";

    /** An AuthZEN subject that is not an agent: Warden decides only on agents (and the people they serve). */
    public static final String SUBJECT_NOT_AN_AGENT = "SUBJECT_NOT_AN_AGENT";

    /** An AuthZEN resource that is neither a data scope nor a collection. */
    public static final String RESOURCE_NOT_GOVERNED = "RESOURCE_NOT_GOVERNED";

    private ReasonCodes() {}
}
