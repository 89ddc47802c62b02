package io.warden.clinical.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder of real DICOM files with a copy, a text file and a damaged file: scanned, grouped, planes read. */
class DicomFolderScanTests {

    static final Path FILES = DicomReaderTests.FILES;

    @Test
    void scansRecursivelyGroupsSeriesOnceAndListsWhatItSkipped(@TempDir Path archive) throws Exception {
        Files.createDirectories(archive.resolve("study-a/series-1"));
        Files.createDirectories(archive.resolve("study-b"));
        Files.copy(FILES.resolve("CT_small.dcm"), archive.resolve("study-a/series-1/ct.dcm"));
        Files.copy(
                FILES.resolve("CT_small.dcm"),
                archive.resolve("study-a/series-1/ct-copy.dcm")); // the same SOP instance twice
        Files.copy(FILES.resolve("MR_small.dcm"), archive.resolve("study-b/mr.dcm"));
        Files.writeString(archive.resolve("study-b/README.txt"), "exported by the PACS", StandardCharsets.UTF_8);
        Files.write(
                archive.resolve("study-b/broken.dcm"),
                Arrays.copyOf(Files.readAllBytes(FILES.resolve("MR_small.dcm")), 400));

        var report = new DicomFolderScan(new DicomReader("s".getBytes(StandardCharsets.UTF_8)), 4).scan(archive);
        assertThat(report.instances()).hasSize(3);
        assertThat(report.skipped())
                .extracting(skipped -> Path.of(skipped.location()).getFileName().toString())
                .containsExactlyInAnyOrder("README.txt", "broken.dcm");
        assertThat(report.skipped())
                .allSatisfy(skipped -> assertThat(skipped.reason()).isNotBlank());

        List<Series> series = Series.group(report.headers());
        assertThat(series).hasSize(2);
        assertThat(series)
                .filteredOn(s -> "CT".equals(s.modality()))
                .singleElement()
                .satisfies(ct -> {
                    assertThat(ct.sliceCount())
                            .as("a repeated SOP instance counts once")
                            .isEqualTo(1);
                    assertThat(ct.orientation()).isEqualTo(Series.Orientation.AXIAL);
                });
    }

    @Test
    void linksOutOfTheFolderAreSkippedWithOneReasonWhetherOrNotTheirTargetExists(@TempDir Path temp) throws Exception {
        Path archive = Files.createDirectories(temp.resolve("archive"));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.copy(FILES.resolve("CT_small.dcm"), archive.resolve("ct.dcm"));
        Files.copy(FILES.resolve("MR_small.dcm"), outside.resolve("mr.dcm"));
        Files.createSymbolicLink(archive.resolve("inside.dcm"), archive.resolve("ct.dcm"));
        Files.createSymbolicLink(archive.resolve("out.dcm"), outside.resolve("mr.dcm"));
        Files.createSymbolicLink(archive.resolve("nothing.dcm"), outside.resolve("missing.dcm"));
        Files.createSymbolicLink(archive.resolve("folder"), outside);
        Files.createSymbolicLink(archive.resolve("climb.dcm"), archive.resolve("../outside/mr.dcm"));

        var report = new DicomFolderScan(new DicomReader("s".getBytes(StandardCharsets.UTF_8)), 2).scan(archive);
        assertThat(report.instances())
                .extracting(DicomSource.Instance::location)
                .containsExactlyInAnyOrder(
                        archive.resolve("ct.dcm").toString(),
                        archive.resolve("inside.dcm").toString());
        assertThat(report.skipped())
                .extracting(skipped -> Path.of(skipped.location()).getFileName().toString())
                .containsExactlyInAnyOrder("out.dcm", "nothing.dcm", "folder", "climb.dcm");
        assertThat(report.skipped())
                .allSatisfy(skipped -> assertThat(skipped.reason()).isEqualTo(DicomFolderScan.OUTSIDE));
    }

    @Test
    void planesFollowTheSliceNormal() {
        assertThat(Series.orientation(List.of(1.0, 0.0, 0.0, 0.0, 1.0, 0.0))).isEqualTo(Series.Orientation.AXIAL);
        assertThat(Series.orientation(List.of(1.0, 0.0, 0.0, 0.0, 0.0, -1.0))).isEqualTo(Series.Orientation.CORONAL);
        assertThat(Series.orientation(List.of(0.0, 1.0, 0.0, 0.0, 0.0, -1.0))).isEqualTo(Series.Orientation.SAGITTAL);
        double c = Math.cos(Math.toRadians(45));
        assertThat(Series.orientation(List.of(1.0, 0.0, 0.0, 0.0, c, c))).isEqualTo(Series.Orientation.OBLIQUE);
        assertThat(Series.orientation(List.of())).isEqualTo(Series.Orientation.UNKNOWN);
    }
}
