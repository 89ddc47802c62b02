package io.warden.clinical.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.dicom.SeriesBuilder;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The anatomy tiers: each consulted only when the ones before it cannot say, and the deciding tier recorded. */
class AnatomyClassifierTests {

    @Test
    void bodyPartExaminedDecidesFirst() {
        AnatomyCall call = AnatomyClassifier.metadataOnly()
                .classify(SeriesBuilder.aSeries()
                        .modality("CR")
                        .bodyPartExamined("CSPINE")
                        .seriesDescription("Chest wall")
                        .studyDescription("XR")
                        .build());
        assertThat(call.region()).isEqualTo(Anatomy.SPINE);
        assertThat(call.tier()).isEqualTo(AnatomyTier.BODY_PART_EXAMINED);
        assertThat(call.evidence()).isEqualTo("CSPINE");
    }

    @Test
    void descriptionsDecideWhenTheBodyPartIsMissingOrUnknown() {
        AnatomyClassifier classifier = AnatomyClassifier.metadataOnly();
        assertThat(classifier.classify(SeriesBuilder.aSeries()
                        .modality("MR")
                        .seriesDescription("AX T2 FLAIR brain")
                        .build()))
                .isEqualTo(new AnatomyCall(Anatomy.HEAD, AnatomyTier.DESCRIPTION, "BRAIN"));
        assertThat(classifier.classify(SeriesBuilder.aSeries()
                        .modality("MR")
                        .bodyPartExamined("")
                        .seriesDescription("FAST LOCALIZER")
                        .studyDescription("Carotids")
                        .build()))
                .as("the study description when the series description names nothing")
                .isEqualTo(new AnatomyCall(Anatomy.NECK, AnatomyTier.DESCRIPTION, "CAROTIDS"));
        assertThat(classifier
                        .classify(SeriesBuilder.aSeries()
                                .modality("CT")
                                .bodyPartExamined("XYZ")
                                .seriesDescription("CT_ABD_PELVIS W CONTRAST")
                                .build())
                        .region())
                .isEqualTo(Anatomy.ABDOMEN_PELVIS);
        assertThat(classifier
                        .classify(SeriesBuilder.aSeries()
                                .modality("MR")
                                .seriesDescription("SAG STIR T-SPINE")
                                .studyDescription("MRI")
                                .build())
                        .region())
                .as("the spine before the chest")
                .isEqualTo(Anatomy.SPINE);
        assertThat(classifier.classify(SeriesBuilder.aSeries()
                        .modality("CT")
                        .seriesDescription("Scout")
                        .studyDescription("")
                        .build()))
                .isEqualTo(AnatomyCall.unknown());
    }

    @Test
    void theImageTierIsAskedOnlyWhenMetadataCannotSayAndOnlyCountsAboveItsThreshold() {
        AtomicInteger asked = new AtomicInteger();
        ImageAnatomy images = series -> {
            asked.incrementAndGet();
            return Optional.of(
                    new ImageAnatomy.Scored(Anatomy.CHEST, "weak".equals(series.seriesDescription()) ? 0.1 : 0.31));
        };
        AnatomyClassifier classifier = new AnatomyClassifier(images, 0.2);
        assertThat(classifier
                        .classify(SeriesBuilder.aSeries()
                                .modality("CT")
                                .bodyPartExamined("HEAD")
                                .seriesDescription("x")
                                .build())
                        .tier())
                .isEqualTo(AnatomyTier.BODY_PART_EXAMINED);
        assertThat(asked).hasValue(0);
        AnatomyCall call = classifier.classify(SeriesBuilder.aSeries()
                .modality("CT")
                .seriesDescription("Scout")
                .build());
        assertThat(call.region()).isEqualTo(Anatomy.CHEST);
        assertThat(call.tier()).isEqualTo(AnatomyTier.IMAGE);
        assertThat(call.evidence()).isEqualTo("CHEST 0.310");
        assertThat(classifier.classify(SeriesBuilder.aSeries()
                        .modality("CT")
                        .seriesDescription("weak")
                        .build()))
                .isEqualTo(AnatomyCall.unknown());
        assertThat(asked).hasValue(2);
    }
}
