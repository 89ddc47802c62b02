package io.warden.clinical.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.dicom.Series;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The anatomy tiers: each consulted only when the ones before it cannot say, and the deciding tier recorded. */
class AnatomyClassifierTests {

    static Series series(String modality, String bodyPart, String seriesDescription, String studyDescription) {
        return new Series(
                "1.2.3",
                "1.2",
                modality,
                bodyPart,
                seriesDescription,
                studyDescription,
                Series.Orientation.AXIAL,
                12,
                12,
                2.5,
                512,
                512,
                "SIEMENS",
                0.0);
    }

    @Test
    void bodyPartExaminedDecidesFirst() {
        AnatomyCall call = AnatomyClassifier.metadataOnly().classify(series("CR", "CSPINE", "Chest wall", "XR"));
        assertThat(call.region()).isEqualTo(Anatomy.SPINE);
        assertThat(call.tier()).isEqualTo(AnatomyTier.BODY_PART_EXAMINED);
        assertThat(call.evidence()).isEqualTo("CSPINE");
    }

    @Test
    void descriptionsDecideWhenTheBodyPartIsMissingOrUnknown() {
        AnatomyClassifier classifier = AnatomyClassifier.metadataOnly();
        assertThat(classifier.classify(series("MR", null, "AX T2 FLAIR brain", null)))
                .isEqualTo(new AnatomyCall(Anatomy.HEAD, AnatomyTier.DESCRIPTION, "BRAIN"));
        assertThat(classifier.classify(series("MR", "", "FAST LOCALIZER", "Carotids")))
                .as("the study description when the series description names nothing")
                .isEqualTo(new AnatomyCall(Anatomy.NECK, AnatomyTier.DESCRIPTION, "CAROTIDS"));
        assertThat(classifier
                        .classify(series("CT", "XYZ", "CT_ABD_PELVIS W CONTRAST", null))
                        .region())
                .isEqualTo(Anatomy.ABDOMEN_PELVIS);
        assertThat(classifier
                        .classify(series("MR", null, "SAG STIR T-SPINE", "MRI"))
                        .region())
                .as("the spine before the chest")
                .isEqualTo(Anatomy.SPINE);
        assertThat(classifier.classify(series("CT", null, "Scout", ""))).isEqualTo(AnatomyCall.unknown());
    }

    @Test
    void theImageTierIsAskedOnlyWhenMetadataCannotSayAndOnlyCountsAboveItsThreshold() {
        AtomicInteger asked = new AtomicInteger();
        ImageAnatomy images = series -> {
            asked.incrementAndGet();
            return Optional.of(new ImageAnatomy.Scored(
                    Anatomy.CHEST, series.seriesDescription().equals("weak") ? 0.1 : 0.31));
        };
        AnatomyClassifier classifier = new AnatomyClassifier(images, 0.2);
        assertThat(classifier.classify(series("CT", "HEAD", "x", null)).tier())
                .isEqualTo(AnatomyTier.BODY_PART_EXAMINED);
        assertThat(asked).hasValue(0);
        AnatomyCall call = classifier.classify(series("CT", null, "Scout", null));
        assertThat(call.region()).isEqualTo(Anatomy.CHEST);
        assertThat(call.tier()).isEqualTo(AnatomyTier.IMAGE);
        assertThat(call.evidence()).isEqualTo("CHEST 0.310");
        assertThat(classifier.classify(series("CT", null, "weak", null))).isEqualTo(AnatomyCall.unknown());
        assertThat(asked).hasValue(2);
    }
}
