/**
 * Clinical agents: the governed retrieval service (embeddings, vector indexes, k-NN and majority-vote
 * classifiers, evaluation) and the imaging cohort builder.
 *
 * <p>Entry points so far: {@link io.warden.clinical.Embedder}, the port to text and image embedding
 * models, with ONNX Runtime behind it ({@code OnnxTextEmbedder} runs all-MiniLM-L6-v2 by default).
 *
 * <p>May depend on {@code audit} only. Agents never call it directly; the policy gateway does.
 */
@NullMarked
@ApplicationModule(displayName = "clinical-agents", allowedDependencies = {"audit"})
package io.warden.clinical;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
