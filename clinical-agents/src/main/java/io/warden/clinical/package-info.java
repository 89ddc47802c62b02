/**
 * Clinical agents: the governed retrieval service (embeddings, vector indexes, k-NN and majority-vote
 * classifiers, evaluation) and the imaging cohort builder.
 *
 * <p>Entry points: {@link io.warden.clinical.Embedder} (embedding models on ONNX Runtime; all-MiniLM-L6-v2
 * by default), {@link io.warden.clinical.VectorCollections} and {@link io.warden.clinical.VectorIndex}
 * (named, versioned, persistent collections searched exactly or through Lucene's HNSW, with metadata
 * filters and atomic replacement), {@link io.warden.clinical.Retrieval} (searches, and k-NN majority or
 * weighted votes over them), {@link io.warden.clinical.VolumeEmbeddings} (3D volumes from slices) and
 * {@link io.warden.clinical.Evaluation} (recall@k, P@k, vote accuracy, the {@code evaluate} command).
 *
 * <p>The root holds ports and records; their implementations (indexes, vector file readers, the k-NN
 * classifier, the {@code evaluate} command) are in {@code internal}.
 *
 * <p>May depend on {@code audit} only. Agents never call it directly; the policy gateway does.
 */
@NullMarked
@ApplicationModule(
        displayName = "clinical-agents",
        allowedDependencies = {"audit", "audit :: problem"})
package io.warden.clinical;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
