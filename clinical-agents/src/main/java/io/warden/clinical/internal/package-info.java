/**
 * The retrieval service's implementation: {@link io.warden.clinical.internal.WordPieceTokenizer} (BERT
 * tokenisation from a Hugging Face {@code tokenizer.json}, offline) and
 * {@link io.warden.clinical.internal.OnnxTextEmbedder} (ONNX Runtime, padded batches, mean pooling,
 * L2 normalisation), the flat and Lucene HNSW indexes and
 * {@link io.warden.clinical.internal.FileVectorCollections}, which versions them on disk;
 * {@link io.warden.clinical.internal.KnnClassifier} (the votes), {@link io.warden.clinical.internal.VectorFiles}
 * ({@code .npy} and JSON ingest) and {@link io.warden.clinical.internal.EvaluationCommand} (behind
 * {@code Evaluation.command}).
 */
@NullMarked
package io.warden.clinical.internal;

import org.jspecify.annotations.NullMarked;
