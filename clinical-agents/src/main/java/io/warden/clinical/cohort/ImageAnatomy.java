package io.warden.clinical.cohort;

import io.warden.clinical.dicom.Series;
import java.util.Optional;

/**
 * Port to the third anatomy tier: an image model's zero-shot call on a representative slice of the series.
 * Configured only where an image encoder is; without one the tiers stop at the descriptions.
 */
public interface ImageAnatomy {

    /** The region the model finds most like the series' representative slice, with its score; empty when it cannot tell. */
    Optional<Scored> classify(Series series);

    /** A region and the model's similarity between the slice and the region's label text. */
    record Scored(Anatomy region, double score) {}
}
