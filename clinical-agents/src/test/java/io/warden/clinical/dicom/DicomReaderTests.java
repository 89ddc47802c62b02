package io.warden.clinical.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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
            throw new IllegalStateException("The DICOM test files come from Debian's python3-pydicom: apt-get install python3-pydicom");
        }
        String script = """
                import json, sys, pydicom
                out = {}
                for name in sys.argv[1:]:
                    d = pydicom.dcmread('%s/' + name, stop_before_pixels=True, force=True)
                    g = lambda k: (str(d.get(k)).strip() if d.get(k) not in (None, '') else None)
                    out[name] = {
                        'transferSyntax': str(d.file_meta.TransferSyntaxUID) if 'TransferSyntaxUID' in getattr(d, 'file_meta', {}) else None,
                        'study': g('StudyInstanceUID'), 'series': g('SeriesInstanceUID'), 'sop': g('SOPInstanceUID'),
                        'modality': g('Modality'), 'bodyPart': g('BodyPartExamined'), 'seriesDescription': g('SeriesDescription'),
                        'studyDescription': g('StudyDescription'), 'manufacturer': g('Manufacturer'),
                        'rows': d.get('Rows'), 'columns': d.get('Columns'),
                        'frames': int(d.NumberOfFrames) if d.get('NumberOfFrames') not in (None, '') else None,
                        'sliceThickness': float(d.SliceThickness) if d.get('SliceThickness') not in (None, '') else None,
                        'orientation': [float(x) for x in d.ImageOrientationPatient] if d.get('ImageOrientationPatient') else [],
                        'position': [float(x) for x in d.ImagePositionPatient] if d.get('ImagePositionPatient') else [],
                        'hasPatientId': bool(d.get('PatientID')),
                    }
                print(json.dumps(out))
                """.formatted(FILES);
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/python3", "-c", script)); // Debian's python, with its pydicom
        command.addAll(NAMES);
        Process python = new ProcessBuilder(command).redirectErrorStream(false).start();
        String json = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor()).as(errors).isZero();
        expected = new java.util.HashMap<>();
        JsonMapper.builder().build().readTree(json).properties().forEach(entry -> expected.put(entry.getKey(), entry.getValue()));
    }

    static final List<String> NAMES = List.of("CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm",
            "ExplVR_LitEndNoMeta.dcm", "ExplVR_BigEndNoMeta.dcm", "image_dfl.dcm", "UN_sequence.dcm", "nested_priv_SQ.dcm",
            "priv_SQ.dcm", "rtplan.dcm", "JPEG2000.dcm", "MR_truncated.dcm", "reportsi.dcm", "liver_1frame.dcm");

    @ParameterizedTest
    @ValueSource(strings = {"CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm",
            "ExplVR_LitEndNoMeta.dcm", "ExplVR_BigEndNoMeta.dcm", "image_dfl.dcm", "UN_sequence.dcm", "nested_priv_SQ.dcm",
            "priv_SQ.dcm", "rtplan.dcm", "JPEG2000.dcm", "MR_truncated.dcm", "reportsi.dcm", "liver_1frame.dcm"})
    void readsWhatPydicomReads(String name) throws Exception {
        DicomHeader header = reader.read(FILES.resolve(name));
        JsonNode want = expected.get(name);
        if (!want.get("transferSyntax").isNull()) {
            assertThat(header.transferSyntax()).isEqualTo(want.get("transferSyntax").asString());
        }
        assertThat(header.studyInstanceUid()).isEqualTo(text(want, "study"));
        assertThat(header.seriesInstanceUid()).isEqualTo(text(want, "series"));
        assertThat(header.sopInstanceUid()).isEqualTo(text(want, "sop"));
        assertThat(header.modality()).isEqualTo(text(want, "modality"));
        assertThat(header.bodyPartExamined()).isEqualTo(text(want, "bodyPart"));
        assertThat(header.seriesDescription()).isEqualTo(text(want, "seriesDescription"));
        assertThat(header.studyDescription()).isEqualTo(text(want, "studyDescription"));
        assertThat(header.manufacturer()).isEqualTo(text(want, "manufacturer"));
        assertThat(header.rows()).isEqualTo(want.get("rows").isNull() ? null : want.get("rows").asInt());
        assertThat(header.columns()).isEqualTo(want.get("columns").isNull() ? null : want.get("columns").asInt());
        assertThat(header.numberOfFrames()).isEqualTo(want.get("frames").isNull() ? null : want.get("frames").asInt());
        assertThat(header.sliceThickness()).isEqualTo(want.get("sliceThickness").isNull() ? null : want.get("sliceThickness").asDouble());
        assertThat(header.orientation()).containsExactlyElementsOf(doubles(want.get("orientation")));
        assertThat(header.position()).containsExactlyElementsOf(doubles(want.get("position")));
        assertThat(header.patientIdHash() != null).as("the patient is there only as a hash").isEqualTo(want.get("hasPatientId").asBoolean());
    }

    @Test
    void patientIdentifiersLeaveOnlyAsSaltedHashes() throws Exception {
        DicomHeader header = reader.read(FILES.resolve("CT_small.dcm"));
        assertThat(header.patientIdHash()).matches("[0-9a-f]{64}");
        assertThat(header.toString()).doesNotContain("1CT1").doesNotContain("CompressedSamples");
        DicomHeader otherSalt = new DicomReader("another".getBytes(StandardCharsets.UTF_8)).read(FILES.resolve("CT_small.dcm"));
        assertThat(otherSalt.patientIdHash()).isNotEqualTo(header.patientIdHash());
    }

    @Test
    void aFileCutInsideTheHeaderIsReportedAsTruncatedWithItsOffset(@TempDir Path folder) throws Exception {
        byte[] whole = Files.readAllBytes(FILES.resolve("CT_small.dcm"));
        Path cut = folder.resolve("cut.dcm");
        Files.write(cut, java.util.Arrays.copyOf(whole, 700));
        assertThatThrownBy(() -> reader.read(cut)).isInstanceOf(DicomFormatException.class)
                .hasMessageContaining("truncated").satisfies(e -> assertThat(((DicomFormatException) e).offset()).isBetween(600L, 700L));
        // no preamble, no meta, and a first element whose length runs past the end of the file
        assertThatThrownBy(() -> reader.read(FILES.resolve("no_meta.dcm"))).isInstanceOf(DicomFormatException.class)
                .hasMessageContaining("no_meta.dcm").hasMessageContaining("truncated");
        Path garbage = folder.resolve("notes.txt");
        Files.writeString(garbage, "this is not DICOM at all, just some words in a text file");
        assertThatThrownBy(() -> reader.read(garbage)).isInstanceOf(DicomFormatException.class).hasMessageContaining("notes.txt");
    }

    private static String text(JsonNode want, String field) {
        return want.get(field).isNull() ? null : want.get(field).asString();
    }

    private static List<Double> doubles(JsonNode array) {
        List<Double> values = new java.util.ArrayList<>();
        array.forEach(value -> values.add(value.asDouble() + 0.0)); // the reader reads -0 as 0
        return values;
    }
}
