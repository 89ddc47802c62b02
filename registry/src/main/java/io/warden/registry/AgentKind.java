package io.warden.registry;

/** What an agent does; the policy and lifecycle rules read it. */
public enum AgentKind {
    RETRIEVAL,
    RAG_CLASSIFIER,
    COHORT_BUILDER,
    ORCHESTRATOR_SPECIALIST
}
