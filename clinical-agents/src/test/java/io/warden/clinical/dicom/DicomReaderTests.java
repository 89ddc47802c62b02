package io.warden.clinical.dicom;

import static io.warden.clinical.dicom.Pydicom.doubles;
import static io.warden.clinical.dicom.Pydicom.text;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The header reader against the real DICOM files Debian's {@code python3-pydicom} ships (every transfer
 * syntax the reader accepts, files without preamble or meta, sequences, UN, encapsulated pixel data, a
 * truncated file), each compared attribute by attribute with what pydicom itself reads from the same file.
 */
class DicomReaderTests {

    static final Path FILES = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
    static Map<String, JsonNode> expected;
    final DicomReader reader = new DicomReader("test-salt".getBytes(StandardCharsets.UTF_8));

    @BeforeAll
    static void pydicom() throws Exception {
        if (!Files.isDirectory(FILES)) {
            throw new IllegalStateException(
                    "The DICOM test files come from Debian's python3-pydicom: apt-get install python3-pydicom");
        }
        expected = Pydicom.headers(FILES, NAMES);
    }

    static final List<String> NAMES = List.of(
            "CT_small.dcm",
            "MR_small.dcm",
            "MR_small_implicit.dcm",
            "MR_small_bigendian.dcm",
            "ExplVR_LitEndNoMeta.dcm",
            "ExplVR_BigEndNoMeta.dcm",
            "image_dfl.dcm",
            "UN_sequence.dcm",
            "nested_priv_SQ.dcm",
            "priv_SQ.dcm",
            "rtplan.dcm",
            "JPEG2000.dcm",
            "MR_truncated.dcm",
            "reportsi.dcm",
            "liver_1frame.dcm");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "CT_small.dcm",
                "MR_small.dcm",
                "MR_small_implicit.dcm",
                "MR_small_bigendian.dcm",
                "ExplVR_LitEndNoMeta.dcm",
                "ExplVR_BigEndNoMeta.dcm",
                "image_dfl.dcm",
                "UN_sequence.dcm",
                "nested_priv_SQ.dcm",
                "priv_SQ.dcm",
                "rtplan.dcm",
                "JPEG2000.dcm",
                "MR_truncated.dcm",
                "reportsi.dcm",
                "liver_1frame.dcm"
            })
    void readsWhatPydicomReads(String name) throws Exception {
        DicomHeader header = reader.read(FILES.resolve(name));
        JsonNode want = requireNonNull(expected.get(name), name);
        if (!want.get("transferSyntax").isNull()) {
            assertThat(header.transferSyntax())
                    .isEqualTo(want.get("transferSyntax").asString());
        }
        assertThat(header.studyInstanceUid()).isEqualTo(text(want, "study"));
        assertThat(header.seriesInstanceUid()).isEqualTo(text(want, "series"));
        assertThat(header.sopInstanceUid()).isEqualTo(text(want, "sop"));
        assertThat(header.modality()).isEqualTo(text(want, "modality"));
        assertThat(header.bodyPartExamined()).isEqualTo(text(want, "bodyPart"));
        assertThat(header.seriesDescription()).isEqualTo(text(want, "seriesDescription"));
        assertThat(header.studyDescription()).isEqualTo(text(want, "studyDescription"));
        assertThat(header.manufacturer()).isEqualTo(text(want, "manufacturer"));
        assertThat(header.rows())
                .isEqualTo(want.get("rows").isNull() ? null : want.get("rows").asInt());
        assertThat(header.columns())
                .isEqualTo(
                        want.get("columns").isNull()
                                ? null
                                : want.get("columns").asInt());
        assertThat(header.numberOfFrames())
                .isEqualTo(
                        want.get("frames").isNull() ? null : want.get("frames").asInt());
        assertThat(header.sliceThickness())
                .isEqualTo(
                        want.get("sliceThickness").isNull()
                                ? null
                                : want.get("sliceThickness").asDouble());
        assertThat(header.orientation()).containsExactlyElementsOf(doubles(want, "orientation"));
        assertThat(header.position()).containsExactlyElementsOf(doubles(want, "position"));
        assertThat(header.patientIdHash() != null)
                .as("the patient is there only as a hash")
                .isEqualTo(want.get("hasPatientId").asBoolean());
    }

    @Test
    void patientIdentifiersLeaveOnlyAsSaltedHashes() throws Exception {
        DicomHeader header = reader.read(FILES.resolve("CT_small.dcm"));
        assertThat(header.patientIdHash()).matches("[0-9a-f]{64}");
        assertThat(header.toString()).doesNotContain("1CT1").doesNotContain("CompressedSamples");
        DicomHeader otherSalt =
                new DicomReader("another".getBytes(StandardCharsets.UTF_8)).read(FILES.resolve("CT_small.dcm"));
        assertThat(otherSalt.patientIdHash()).isNotEqualTo(header.patientIdHash());
    }

    @Test
    void aFileCutInsideTheHeaderIsReportedAsTruncatedWithItsOffset(@TempDir Path folder) throws Exception {
        byte[] whole = Files.readAllBytes(FILES.resolve("CT_small.dcm"));
        Path cut = folder.resolve("cut.dcm");
        Files.write(cut, Arrays.copyOf(whole, 700));
        assertThatThrownBy(() -> reader.read(cut))
                .isInstanceOf(DicomFormatException.class)
                .hasMessageContaining("truncated")
                .satisfies(e -> assertThat(((DicomFormatException) e).offset()).isBetween(600L, 700L));
        // no preamble, no meta, and a first element whose length runs past the end of the file
        assertThatThrownBy(() -> reader.read(FILES.resolve("no_meta.dcm")))
                .isInstanceOf(DicomFormatException.class)
                .hasMessageContaining("no_meta.dcm")
                .hasMessageContaining("truncated");
        Path garbage = folder.resolve("notes.txt");
        Files.writeString(garbage, "this is not DICOM at all, just some words in a text file");
        assertThatThrownBy(() -> reader.read(garbage))
                .isInstanceOf(DicomFormatException.class)
                .hasMessageContaining("notes.txt");
    }
}
