package io.warden.registry;

import java.util.Optional;
import java.util.Set;

/**
 * Port the registry asks before it approves an agent: whether what the agent will read has been evaluated well enough
 * for an agent of its kind (a RAG_CLASSIFIER on a data scope that sets a minimum Top-1 accuracy needs a collection of
 * that scope whose current version was evaluated at or above it). Declared here, since the registry may not depend on
 * the clinical modules; implemented by the collections module. Thread-safe.
 */
@FunctionalInterface
public interface EvaluationGate {

    /** Where no gate is configured: every approval may go ahead. */
    EvaluationGate NONE = (kind, dataScopes) -> Optional.empty();

    /** Why an agent of {@code kind} holding {@code dataScopes} may not be approved now; empty when it may. */
    Optional<String> refusal(AgentKind kind, Set<String> dataScopes);
}
