package io.warden.clinical;

import java.util.List;

/**
 * Port to an embedding model: texts (or, for image models, images) in, L2-normalised vectors of
 * {@link #dimension()} out, in input order. Inner product between two outputs is their cosine
 * similarity. Implementations are thread-safe and batch internally.
 */
public interface Embedder {

    /** The model's name as configured, e.g. {@code all-MiniLM-L6-v2}. */
    String modelName();

    int dimension();

    /**
     * Embeds the texts.
     *
     * @throws EmbeddingRejected naming the problem when a text is empty or there are too many
     */
    List<float[]> embed(List<String> texts);
}
