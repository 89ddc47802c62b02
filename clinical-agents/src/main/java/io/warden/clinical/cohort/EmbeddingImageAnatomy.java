package io.warden.clinical.cohort;

import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.dicom.Series;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The image tier by zero-shot classification, CLIP style: the representative slice's embedding is compared
 * with the embedding of each region's label text ({@link Anatomy#labelText}) from the same model's text
 * tower, computed once when the model is configured, and the most similar region wins.
 */
public final class EmbeddingImageAnatomy implements ImageAnatomy {

    private final ImageEmbedder encoder;
    private final Map<Anatomy, float[]> labels;
    private final Function<Series, Optional<byte[]>> slices;

    /**
     * @param encoder the image model
     * @param labels  each region's label text embedding, unit length, of the encoder's dimension
     * @param slices  a representative slice of a series as PNG or JPEG (a DICOMweb {@code rendered} frame), if it has one
     */
    public EmbeddingImageAnatomy(
            ImageEmbedder encoder, Map<Anatomy, float[]> labels, Function<Series, Optional<byte[]>> slices) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("zero-shot anatomy needs at least one label embedding");
        }
        labels.forEach((region, vector) -> {
            if (vector.length != encoder.dimension()) {
                throw new IllegalArgumentException("the label embedding of " + region + " has " + vector.length
                        + " dimensions; " + encoder.modelName() + " gives " + encoder.dimension());
            }
        });
        this.encoder = encoder;
        this.labels = new EnumMap<>(labels);
        this.slices = slices;
    }

    @Override
    public Optional<Scored> classify(Series series) {
        Optional<byte[]> slice = slices.apply(series);
        if (slice.isEmpty()) {
            return Optional.empty();
        }
        float[] image;
        try {
            image = encoder.embedImages(List.of(slice.get())).getFirst();
        } catch (EmbeddingRejected e) {
            return Optional.empty(); // a slice the model cannot decode leaves the series to the tiers' default
        }
        @Nullable Anatomy best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Map.Entry<Anatomy, float[]> label : labels.entrySet()) {
            double score = 0;
            for (int i = 0; i < image.length; i++) {
                score += image[i] * label.getValue()[i];
            }
            if (score > bestScore) {
                bestScore = score;
                best = label.getKey();
            }
        }
        if (best == null) {
            return Optional.empty(); // no labels, or no score above -infinity: nothing to call it
        }
        return Optional.of(new Scored(best, bestScore));
    }
}
