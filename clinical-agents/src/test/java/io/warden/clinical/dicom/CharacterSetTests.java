package io.warden.clinical.dicom;

import static io.warden.clinical.dicom.Pydicom.text;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
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
 * Text in the data set's Specific Character Set: pydicom's character set files (Latin-1, Cyrillic, Greek,
 * Hebrew, Arabic, UTF-8, GB18030, and Japanese and Korean with ISO 2022 escape sequences) and its other test
 * files, each read by Warden and by pydicom. Descriptions and manufacturer must read the same, and a patient's
 * name and identifier must hash as pydicom's text of them hashes: the text a DICOMweb server sends in UTF-8.
 */
class CharacterSetTests {

    static final Path CHARSET_FILES = DicomReaderTests.FILES.resolveSibling("charset_files");
    static final byte[] SALT = "charset-salt".getBytes(StandardCharsets.UTF_8);

    @Test
    void textReadsAsPydicomReadsItInEveryCharacterSet() throws Exception {
        List<String> mismatches = new ArrayList<>();
        int names = compareFolder(CHARSET_FILES, mismatches) + compareFolder(DicomReaderTests.FILES, mismatches);
        assertThat(mismatches).as("text read differently from pydicom").isEmpty();
        assertThat(names).as("patient names compared").isGreaterThan(100);
    }

    @Test
    void theCharacterSetFilesCoverTheScriptsTheyAreFor() throws Exception {
        // the comparison above must not pass because both sides read nothing: these names are in the files
        PatientHash hash = new PatientHash(SALT);
        DicomReader reader = new DicomReader(SALT);
        assertThat(reader.read(CHARSET_FILES.resolve("chrRuss.dcm")).patientNameHash())
                .isEqualTo(hash.of("Люкceмбypг"));
        assertThat(reader.read(CHARSET_FILES.resolve("chrX1.dcm")).patientNameHash())
                .isEqualTo(hash.of("Wang^XiaoDong=王^小東"));
        assertThat(reader.read(CHARSET_FILES.resolve("chrX2.dcm")).patientNameHash())
                .isEqualTo(hash.of("Wang^XiaoDong=王^小东"));
        assertThat(reader.read(CHARSET_FILES.resolve("chrH31.dcm")).patientNameHash())
                .isEqualTo(hash.of("Yamada^Tarou=山田^太郎=やまだ^たろう"));
        assertThat(reader.read(CHARSET_FILES.resolve("chrH32.dcm")).patientNameHash())
                .isEqualTo(hash.of("ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"));
        assertThat(reader.read(CHARSET_FILES.resolve("chrI2.dcm")).patientNameHash())
                .isEqualTo(hash.of("Hong^Gildong=洪^吉洞=홍^길동"));
        assertThat(reader.read(CHARSET_FILES.resolve("chrArab.dcm")).patientNameHash())
                .isEqualTo(hash.of("قباني^لنزار"));
    }

    @Test
    void looselyWrittenTermsAreUnderstoodAndUnknownOnesFallBackToLatin1() {
        byte[] cyrillic = "Люксембург".getBytes(Charset.forName("ISO-8859-5"));
        assertThat(SpecificCharacterSet.of("ISO_IR 144").decode(cyrillic, false))
                .isEqualTo("Люксембург");
        assertThat(SpecificCharacterSet.of("ISO-IR 144").decode(cyrillic, false))
                .isEqualTo("Люксембург");
        assertThat(SpecificCharacterSet.of("iso_ir144").decode(cyrillic, false)).isEqualTo("Люксембург");
        byte[] latin = "Jérôme".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(SpecificCharacterSet.of(null).decode(latin, false)).isEqualTo("Jérôme");
        assertThat(SpecificCharacterSet.of("ISO_IR 999").decode(latin, false)).isEqualTo("Jérôme");
    }

    @Test
    void aDelimiterReturnsToTheFirstCharacterSet() {
        // Greek designated into G1 by ESC - F, then a component separator: what follows is the first set again
        byte[] greek = "Διον".getBytes(Charset.forName("ISO-8859-7"));
        byte[] value = concat(
                new byte[] {0x1b, '-', 'F'},
                greek,
                "^".getBytes(StandardCharsets.US_ASCII),
                "é".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(SpecificCharacterSet.of("ISO 2022 IR 100\\ISO 2022 IR 126").decode(value, true))
                .isEqualTo("Διον^é");
        // outside a person name the caret is text, and the Greek set goes on
        assertThat(SpecificCharacterSet.of("ISO 2022 IR 100\\ISO 2022 IR 126").decode(value, false))
                .isEqualTo("Διον" + new String(new byte[] {'^', (byte) 0xe9}, Charset.forName("ISO-8859-7")));
    }

    private static int compareFolder(Path folder, List<String> mismatches) throws Exception {
        List<String> names;
        try (Stream<Path> files = Files.walk(folder)) {
            names = files.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().endsWith(".txt"))
                    .map(file -> folder.relativize(file).toString())
                    .sorted()
                    .toList();
        }
        Map<String, JsonNode> pydicom = Pydicom.headers(folder, names, true);
        DicomReader reader = new DicomReader(SALT);
        PatientHash hash = new PatientHash(SALT);
        int compared = 0;
        for (String name : names) {
            JsonNode want = requireNonNull(pydicom.get(name), name);
            if (want.has("unreadable") || !want.get("error").isNull()) {
                continue; // not a conforming file: the corpus test covers how it is refused or read
            }
            DicomHeader got;
            try {
                got = reader.read(folder.resolve(name));
            } catch (DicomFormatException e) {
                continue; // refused where pydicom reads as far as the file goes: the corpus test covers it
            }
            compare(name, "seriesDescription", got.seriesDescription(), text(want, "seriesDescription"), mismatches);
            compare(name, "studyDescription", got.studyDescription(), text(want, "studyDescription"), mismatches);
            compare(name, "manufacturer", got.manufacturer(), text(want, "manufacturer"), mismatches);
            compare(name, "patientId hash", got.patientIdHash(), hash.of(text(want, "patientId")), mismatches);
            compare(name, "patientName hash", got.patientNameHash(), hash.of(text(want, "patientName")), mismatches);
            compared++;
        }
        return compared;
    }

    private static void compare(
            String name, String field, @Nullable Object got, @Nullable Object want, List<String> mismatches) {
        if (!Objects.equals(got, want)) {
            mismatches.add(name + ": " + field + " is " + got + ", pydicom reads " + want);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
