package io.warden.clinical.dicom;

import static io.warden.clinical.dicom.Pydicom.doubles;
import static io.warden.clinical.dicom.Pydicom.integer;
import static io.warden.clinical.dicom.Pydicom.text;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every file Debian's pydicom ships as test data, each read by Warden's reader and by pydicom. A file pydicom
 * reads as Part 10 must give the same identifiers, modality, body part, descriptions, plane, rows, columns
 * and frames; a file it reads only when forced (no preamble or meta) must give the same or be refused; a file
 * it cannot read at all, or whose values it cannot convert, must be refused with a reason, as
 * {@link DicomFormatException} and nothing else. pydicom reads a file that ends inside an element as far as it
 * goes; Warden refuses it as truncated, at the offset where it ends.
 */
class PydicomCorpusTests {

    @Test
    void everyFileIsReadAsPydicomReadsItOrRefusedWithAReason() throws Exception {
        Path folder = DicomReaderTests.FILES;
        List<String> names;
        try (Stream<Path> files = Files.walk(folder)) {
            names = files.filter(Files::isRegularFile)
                    .map(file -> folder.relativize(file).toString())
                    .sorted()
                    .toList();
        }
        assertThat(names).as("Debian's python3-pydicom test files").hasSizeGreaterThan(150);
        Map<String, JsonNode> pydicom = Pydicom.headers(folder, names, true);
        DicomReader reader = new DicomReader("corpus".getBytes(StandardCharsets.UTF_8));
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        int refused = 0;
        for (String name : names) {
            JsonNode want = requireNonNull(pydicom.get(name), name);
            DicomHeader got;
            try {
                got = reader.read(folder.resolve(name));
            } catch (DicomFormatException e) {
                refused++;
                if (e.getMessage() == null || !e.getMessage().contains(name)) {
                    mismatches.add(name + ": refused without naming the file: " + e.getMessage());
                }
                boolean endsInsideAnElement = e.getMessage() != null
                        && e.getMessage().contains("truncated")
                        && e.offset() == Files.size(folder.resolve(name));
                if (want.get("error").isNull() && !want.has("unreadable") && !endsInsideAnElement) {
                    mismatches.add(name + ": pydicom reads it as Part 10, Warden refused it: " + e.getMessage());
                }
                continue;
            } catch (RuntimeException e) {
                mismatches.add(name + ": threw " + e);
                continue;
            }
            if (want.has("unreadable")) {
                continue; // read by Warden, unreadable to pydicom even forced: nothing to compare with
            }
            compared++;
            compare(name, "study", got.studyInstanceUid(), text(want, "study"), mismatches);
            compare(name, "series", got.seriesInstanceUid(), text(want, "series"), mismatches);
            compare(name, "sop", got.sopInstanceUid(), text(want, "sop"), mismatches);
            compare(name, "modality", got.modality(), text(want, "modality"), mismatches);
            compare(name, "bodyPart", got.bodyPartExamined(), text(want, "bodyPart"), mismatches);
            compare(name, "seriesDescription", got.seriesDescription(), text(want, "seriesDescription"), mismatches);
            compare(name, "studyDescription", got.studyDescription(), text(want, "studyDescription"), mismatches);
            compare(name, "rows", got.rows(), integer(want, "rows"), mismatches);
            compare(name, "columns", got.columns(), integer(want, "columns"), mismatches);
            compare(name, "frames", got.numberOfFrames(), integer(want, "frames"), mismatches);
            compare(
                    name,
                    "orientation",
                    Series.orientation(got.orientation()),
                    Series.orientation(doubles(want, "orientation")),
                    mismatches);
            compare(name, "orientation cosines", got.orientation(), doubles(want, "orientation"), mismatches);
        }
        assertThat(mismatches).as("files read differently from pydicom").isEmpty();
        assertThat(compared).as("files compared attribute by attribute").isGreaterThan(120);
        assertThat(refused).as("the damaged files are refused").isPositive();
    }

    private static void compare(
            String name, String field, @Nullable Object got, @Nullable Object want, List<String> mismatches) {
        if (!Objects.equals(got, want)) {
            mismatches.add(name + ": " + field + " is " + got + ", pydicom reads " + want);
        }
    }
}
