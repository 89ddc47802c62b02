/**
 * Clinical agents: the governed retrieval service (embeddings, vector indexes, k-NN and majority-vote
 * classifiers, evaluation) and the imaging cohort builder.
 *
 * <p>May depend on {@code audit} only. Agents never call it directly; the policy gateway does.
 * Nothing is implemented yet.
 */
@NullMarked
@ApplicationModule(displayName = "clinical-agents", allowedDependencies = {"audit"})
package io.warden.clinical;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
