package io.warden.clinical.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.dicom.SeriesBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Five distinct descriptions from what the header says, whatever it leaves out; a rewriter may only rephrase. */
class SeriesDescriptionsTests {

    @Test
    void fiveDistinctDescriptionsSayWhatTheHeaderSays() {
        var row = new CohortSeries(
                SeriesBuilder.aSeries()
                        .modality("CT")
                        .bodyPartExamined("CHEST")
                        .seriesDescription("CT CHEST W CONTRAST")
                        .studyDescription("CT THORAX")
                        .build(),
                new AnatomyCall(Anatomy.CHEST, AnatomyTier.BODY_PART_EXAMINED, "CHEST"),
                List.of());
        List<String> texts = new SeriesDescriptions(null).describe(row);
        assertThat(texts).hasSize(SeriesDescriptions.COUNT).doesNotHaveDuplicates();
        assertThat(texts.getFirst()).isEqualTo("Axial CT of the chest and lungs: CT CHEST W CONTRAST");
        assertThat(String.join("\n", texts))
                .contains(
                        "computed tomography", "12 images", "2.5 mm", "512 by 512", "SIEMENS", "\u201cCT THORAX\u201d");
    }

    @Test
    void aBareHeaderStillGetsFiveDistinctDescriptions() {
        var bare = SeriesBuilder.aBareSeries("9.9").build();
        List<String> texts =
                new SeriesDescriptions(null).describe(new CohortSeries(bare, AnatomyCall.unknown(), List.of()));
        assertThat(texts)
                .hasSize(SeriesDescriptions.COUNT)
                .doesNotHaveDuplicates()
                .allSatisfy(text -> assertThat(text).isNotBlank());
        assertThat(texts).noneMatch(text -> text.contains("null"));
    }

    @Test
    void aRewriterRephrasesButEmptyOrRepeatedRewritesKeepTheTemplate() {
        var row = new CohortSeries(
                SeriesBuilder.aSeries()
                        .modality("MR")
                        .bodyPartExamined("KNEE")
                        .seriesDescription("COR PD FS")
                        .build(),
                new AnatomyCall(Anatomy.LOWER_LIMB, AnatomyTier.BODY_PART_EXAMINED, "KNEE"),
                List.of());
        List<String> templates = SeriesDescriptions.templates(row);
        DescriptionRewriter rewriter = (series, texts) -> List.of(
                "Knee MRI, coronal proton density",
                "",
                "Knee MRI, coronal proton density",
                texts.get(3).toUpperCase(),
                "x");
        List<String> texts = new SeriesDescriptions(rewriter).describe(row);
        assertThat(texts)
                .containsExactly(
                        "Knee MRI, coronal proton density",
                        templates.get(1),
                        templates.get(2),
                        templates.get(3).toUpperCase(),
                        "x");
    }
}
