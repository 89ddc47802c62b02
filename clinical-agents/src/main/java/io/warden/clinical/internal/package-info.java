/**
 * The retrieval service's implementation: {@link io.warden.clinical.internal.WordPieceTokenizer} (BERT
 * tokenisation from a Hugging Face {@code tokenizer.json}, offline) and
 * {@link io.warden.clinical.internal.OnnxTextEmbedder} (ONNX Runtime, padded batches, mean pooling,
 * L2 normalisation), the flat and Lucene HNSW indexes and
 * {@link io.warden.clinical.internal.FileVectorCollections}, which versions them on disk;
 * {@link io.warden.clinical.internal.KnnClassifier} (the votes), {@link io.warden.clinical.internal.VectorFiles}
 * ({@code .npy} and JSON ingest) and {@link io.warden.clinical.internal.EvaluationCommand} (behind
 * {@code Evaluation.command}).
 *
 * <p>The rest is package-private; what stays public, and why:
 * <ul>
 *   <li>{@code KnnClassifier}, {@code EvaluationCommand}: the root's {@code Evaluation} (the {@code evaluate}
 *       command's entry point) delegates to them; {@code EvaluationTests} votes with the classifier.
 *   <li>{@code FileVectorCollections}, {@code OnnxTextEmbedder}: the retrieval benchmark ({@code bench}
 *       {@code RetrievalBench}) and {@code CohortPipelineTests} (package {@code cohort}) build them outside Spring.
 *   <li>{@code HttpRetrieval}: {@code RetrievalNodeTests} (app) builds the gateway's client against a running node.
 *   <li>{@code RetrievalWire}: the node's controller in {@code internal.web} answers in the records the client reads.
 * </ul>
 */
@NullMarked
package io.warden.clinical.internal;

import org.jspecify.annotations.NullMarked;
