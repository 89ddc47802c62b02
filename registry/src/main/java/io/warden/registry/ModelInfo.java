package io.warden.registry;

import org.jspecify.annotations.Nullable;

/**
 * The model an agent runs, e.g. MedImageInsight (1024-d image embeddings) or BiomedCLIP (512-d text).
 *
 * @param name               model name, required
 * @param version            model version, when known
 * @param embeddingDimension dimension of its embeddings, for retrieval agents
 */
public record ModelInfo(
        String name, @Nullable String version, @Nullable Integer embeddingDimension) {}
