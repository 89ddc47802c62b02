package io.warden.registry;

/** What an agent does; the policy and lifecycle rules read it. */
public enum AgentKind {
    RETRIEVAL,
    RAG_CLASSIFIER,
    COHORT_BUILDER,
    ORCHESTRATOR_SPECIALIST,
    /**
     * Another gateway that asks Warden for decisions over AuthZEN (issue 22); its token may call only the decision
     * endpoints, and it is governed (approved, suspended, kill-switched) as any agent.
     */
    POLICY_ENFORCEMENT_POINT
}
