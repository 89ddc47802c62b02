package io.warden.clinical.ingest;

import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.ImageEmbedder;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Embeds a batch of encoded images so that one bad image costs only itself: a batch the model refuses
 * ({@link EmbeddingRejected}) is embedded again image by image, and each image it still refuses gets that refusal.
 * Any other failure (the model is gone) is the whole build's and propagates.
 */
final class Embedding {

    /** A vector, or why there is none. */
    record Outcome(float @Nullable [] vector, @Nullable Refused refused) {}

    private Embedding() {}

    static List<Outcome> embed(ImageEmbedder embedder, List<byte[]> images) {
        if (images.isEmpty()) {
            return List.of();
        }
        List<Outcome> outcomes = new ArrayList<>(images.size());
        try {
            for (float[] vector : checked(embedder, embedder.embedImages(images), images.size())) {
                outcomes.add(new Outcome(vector, null));
            }
            return outcomes;
        } catch (EmbeddingRejected batch) {
            if (images.size() == 1) {
                return List.of(new Outcome(null, new Refused(batch.code(), String.valueOf(batch.getMessage()))));
            }
        }
        for (byte[] image : images) {
            outcomes.addAll(embed(embedder, List.of(image)));
        }
        return outcomes;
    }

    private static List<float[]> checked(ImageEmbedder embedder, List<float[]> vectors, int expected) {
        if (vectors.size() != expected) {
            throw new IllegalStateException("The image model " + embedder.modelName() + " answered " + vectors.size()
                    + " vectors for " + expected + " images");
        }
        for (float[] vector : vectors) {
            if (vector.length != embedder.dimension()) {
                throw new IllegalStateException("The image model " + embedder.modelName() + " answered a vector of "
                        + vector.length + " dimensions; it declares " + embedder.dimension());
            }
        }
        return vectors;
    }
}
