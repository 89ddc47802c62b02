package io.warden.clinical;

import java.util.List;

/**
 * Port to an image embedding model (MedImageInsight, a CLIP image tower): encoded images (PNG, JPEG) in,
 * L2-normalised vectors of {@link #dimension()} out, in input order. Thread-safe.
 */
public interface ImageEmbedder {

    /** The most images one {@link #embedImages} call takes. */
    int MAX_IMAGES = 10_000;

    String modelName();

    int dimension();

    /**
     * @throws EmbeddingRejected ({@code image-undecodable}, {@code image-too-large}, {@code batch-too-large}) naming the image at fault
     */
    List<float[]> embedImages(List<byte[]> images);
}
