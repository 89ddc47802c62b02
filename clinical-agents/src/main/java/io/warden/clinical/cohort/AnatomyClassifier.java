package io.warden.clinical.cohort;

import io.warden.clinical.dicom.Series;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Files a series under a body region in tiers, each consulted only when the ones before it cannot say:
 * BodyPartExamined, then keywords of the SeriesDescription and the StudyDescription, then (when an image
 * model is configured) zero-shot classification of a representative slice. The call records which tier
 * decided and on what evidence, so a wrong call can be traced. Thread-safe.
 */
public final class AnatomyClassifier {

    private final @Nullable ImageAnatomy images;
    private final double minImageScore;

    /**
     * @param images        the image tier, or null for metadata tiers only
     * @param minImageScore the least similarity the image tier must reach for its call to count
     */
    public AnatomyClassifier(@Nullable ImageAnatomy images, double minImageScore) {
        this.images = images;
        this.minImageScore = minImageScore;
    }

    /** Metadata tiers only. */
    public static AnatomyClassifier metadataOnly() {
        return new AnatomyClassifier(null, 0);
    }

    public AnatomyCall classify(Series series) {
        String bodyPart = series.bodyPartExamined();
        if (bodyPart != null && !bodyPart.isBlank()) {
            Optional<Anatomy.Match> match = Anatomy.find(bodyPart);
            if (match.isPresent()) {
                return new AnatomyCall(
                        match.get().region(),
                        AnatomyTier.BODY_PART_EXAMINED,
                        bodyPart.strip().toUpperCase(Locale.ROOT));
            }
        }
        for (String description : new String[] {series.seriesDescription(), series.studyDescription()}) {
            if (description != null && !description.isBlank()) {
                Optional<Anatomy.Match> match = Anatomy.find(description);
                if (match.isPresent()) {
                    return new AnatomyCall(
                            match.get().region(),
                            AnatomyTier.DESCRIPTION,
                            match.get().term());
                }
            }
        }
        if (images != null) {
            Optional<ImageAnatomy.Scored> scored = images.classify(series);
            if (scored.isPresent() && scored.get().score() >= minImageScore) {
                return new AnatomyCall(
                        scored.get().region(),
                        AnatomyTier.IMAGE,
                        String.format(
                                Locale.ROOT,
                                "%s %.3f",
                                scored.get().region().name(),
                                scored.get().score()));
            }
        }
        return AnatomyCall.unknown();
    }
}
