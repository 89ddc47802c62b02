package io.warden.clinical.dicom;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decodes a data set's text as its Specific Character Set (0008,0005) says (PS3.3 C.12.1.1.2, PS3.5 6.1), so
 * that a description written in Cyrillic, Greek, Hebrew, Arabic, Chinese, Japanese or Korean reads as it was
 * written, and a patient's name hashes the same from a file as from a DICOMweb server (which sends UTF-8).
 *
 * <p>One defined term names one character set for the whole value ({@code ISO_IR 100}, {@code ISO_IR 192} for
 * UTF-8, {@code GB18030}). Terms with code extensions ({@code ISO 2022 IR 87} and the like, several values)
 * switch character sets inside a value by escape sequences: each run after an escape sequence is decoded in
 * the set it designates, and a delimiter (value separator, control characters, and in person names the
 * component and group separators) returns to the first set. A missing or empty value is the default
 * repertoire, read as ISO 8859-1 as pydicom does (it is a superset of ASCII); terms written loosely ({@code
 * ISO-IR 100}, {@code ISO_IR100}) are understood; an unknown term falls back to the default with no error, as
 * the header's other values are still good.
 */
final class SpecificCharacterSet {

    private static final byte ESC = 0x1b;
    private static final Charset DEFAULT = StandardCharsets.ISO_8859_1;
    private static final Map<String, String> SETS = Map.ofEntries(
            Map.entry("ISO_IR 6", "ISO-8859-1"),
            Map.entry("ISO_IR 100", "ISO-8859-1"),
            Map.entry("ISO_IR 101", "ISO-8859-2"),
            Map.entry("ISO_IR 109", "ISO-8859-3"),
            Map.entry("ISO_IR 110", "ISO-8859-4"),
            Map.entry("ISO_IR 144", "ISO-8859-5"),
            Map.entry("ISO_IR 127", "ISO-8859-6"),
            Map.entry("ISO_IR 126", "ISO-8859-7"),
            Map.entry("ISO_IR 138", "ISO-8859-8"),
            Map.entry("ISO_IR 148", "ISO-8859-9"),
            Map.entry("ISO_IR 203", "ISO-8859-15"),
            Map.entry("ISO_IR 166", "TIS-620"),
            Map.entry("ISO_IR 13", "Shift_JIS"),
            Map.entry("ISO_IR 192", "UTF-8"),
            Map.entry("GB18030", "GB18030"),
            Map.entry("GBK", "GBK"),
            Map.entry("ISO 2022 IR 6", "ISO-8859-1"),
            Map.entry("ISO 2022 IR 100", "ISO-8859-1"),
            Map.entry("ISO 2022 IR 101", "ISO-8859-2"),
            Map.entry("ISO 2022 IR 109", "ISO-8859-3"),
            Map.entry("ISO 2022 IR 110", "ISO-8859-4"),
            Map.entry("ISO 2022 IR 144", "ISO-8859-5"),
            Map.entry("ISO 2022 IR 127", "ISO-8859-6"),
            Map.entry("ISO 2022 IR 126", "ISO-8859-7"),
            Map.entry("ISO 2022 IR 138", "ISO-8859-8"),
            Map.entry("ISO 2022 IR 148", "ISO-8859-9"),
            Map.entry("ISO 2022 IR 203", "ISO-8859-15"),
            Map.entry("ISO 2022 IR 166", "TIS-620"),
            Map.entry("ISO 2022 IR 13", "Shift_JIS"),
            Map.entry("ISO 2022 IR 87", "ISO-2022-JP"),
            Map.entry("ISO 2022 IR 159", "ISO-2022-JP-2"),
            Map.entry("ISO 2022 IR 149", "EUC-KR"),
            Map.entry("ISO 2022 IR 58", "GB2312"),
            Map.entry("ISO 2022 GBK", "GBK"),
            Map.entry("ISO 2022 58", "GB2312"));
    /** Escape sequences (after ESC) and the character set each designates. */
    private static final Map<String, String> ESCAPES = Map.ofEntries(
            Map.entry("(B", "ISO-8859-1"),
            Map.entry("(J", "JIS_X0201"),
            Map.entry("-A", "ISO-8859-1"),
            Map.entry("-B", "ISO-8859-2"),
            Map.entry("-C", "ISO-8859-3"),
            Map.entry("-D", "ISO-8859-4"),
            Map.entry("-L", "ISO-8859-5"),
            Map.entry("-G", "ISO-8859-6"),
            Map.entry("-F", "ISO-8859-7"),
            Map.entry("-H", "ISO-8859-8"),
            Map.entry("-M", "ISO-8859-9"),
            Map.entry("-b", "ISO-8859-15"),
            Map.entry("-T", "TIS-620"),
            Map.entry(")I", "Shift_JIS"),
            Map.entry("$B", "ISO-2022-JP"),
            Map.entry("$(D", "ISO-2022-JP-2"),
            Map.entry("$)C", "EUC-KR"),
            Map.entry("$)A", "GB2312"));

    private static final Pattern LOOSE_SINGLE = Pattern.compile("ISO[ _-]?IR[ _-]?(\\d+)");
    private static final Pattern LOOSE_EXTENDED = Pattern.compile("ISO[ _-]?2022[ _-]?IR[ _-]?(\\d+)");
    private static final SpecificCharacterSet LATIN_1 = new SpecificCharacterSet(List.of(DEFAULT), false);
    private static final Map<String, SpecificCharacterSet> KNOWN = new ConcurrentHashMap<>();

    private final List<Charset> declared;
    private final boolean extensions;

    private SpecificCharacterSet(List<Charset> declared, boolean extensions) {
        this.declared = declared;
        this.extensions = extensions;
    }

    /** The character sets a (0008,0005) value declares; null or blank for the default repertoire. */
    static SpecificCharacterSet of(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return LATIN_1;
        }
        SpecificCharacterSet known = KNOWN.get(value);
        if (known != null) {
            return known;
        }
        SpecificCharacterSet parsed = parse(value);
        if (KNOWN.size() < 256) { // an archive uses a handful; a file with a made-up value is not kept
            KNOWN.put(value, parsed);
        }
        return parsed;
    }

    private static SpecificCharacterSet parse(String value) {
        String[] terms = value.split("\\\\", -1);
        List<Charset> charsets = new ArrayList<>();
        boolean extensions = terms.length > 1;
        for (String raw : terms) {
            String term = normalised(raw);
            extensions |= term.startsWith("ISO 2022");
            String name = term.isEmpty() ? "ISO-8859-1" : SETS.get(term);
            charsets.add(name == null ? DEFAULT : Charset.forName(name));
        }
        return new SpecificCharacterSet(List.copyOf(charsets), extensions);
    }

    private static String normalised(String term) {
        String upper = term.strip().toUpperCase(Locale.ROOT);
        Matcher extended = LOOSE_EXTENDED.matcher(upper);
        if (extended.matches()) {
            return "ISO 2022 IR " + extended.group(1);
        }
        Matcher single = LOOSE_SINGLE.matcher(upper);
        return single.matches() ? "ISO_IR " + single.group(1) : upper;
    }

    /**
     * The text of a value.
     *
     * @param personName whether the value is a person name, whose component ({@code ^}) and group ({@code =})
     *                   separators also return to the first character set
     */
    String decode(byte[] value, boolean personName) {
        Charset first = declared.getFirst();
        if (!extensions || indexOf(value, ESC, 0) < 0) {
            return new String(value, first);
        }
        StringBuilder text = new StringBuilder(value.length);
        int start = indexOf(value, ESC, 0);
        text.append(new String(value, 0, start, first));
        while (start < value.length) {
            int next = indexOf(value, ESC, start + 1);
            int end = next < 0 ? value.length : next;
            text.append(run(value, start, end, first, personName));
            start = end;
        }
        return text.toString();
    }

    /** One run that starts with an escape sequence, up to the next escape or the end. */
    private String run(byte[] value, int start, int end, Charset first, boolean personName) {
        for (int length = 3; length >= 2; length--) {
            if (start + 1 + length > end) {
                continue;
            }
            String name = ESCAPES.get(new String(value, start + 1, length, StandardCharsets.US_ASCII));
            if (name == null) {
                continue;
            }
            Charset charset = Charset.forName(name);
            if (name.startsWith("ISO-2022-JP")) {
                // the decoder reads the escape sequence itself; the value switches back before any delimiter
                return new String(value, start, end - start, charset);
            }
            int from = start + 1 + length;
            int delimiter = firstDelimiter(value, from, end, personName);
            if (delimiter < 0) {
                return new String(value, from, end - from, charset);
            }
            return new String(value, from, delimiter - from, charset)
                    + new String(value, delimiter, end - delimiter, first);
        }
        // an escape sequence the reader does not know: the rest of the run in the first character set
        return new String(value, start + 1, end - start - 1, first);
    }

    private static int firstDelimiter(byte[] value, int from, int end, boolean personName) {
        for (int i = from; i < end; i++) {
            byte b = value[i];
            if (b == '\\' || b == '\r' || b == '\n' || b == '\t' || b == '\f' || personName && (b == '^' || b == '=')) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] value, byte wanted, int from) {
        for (int i = from; i < value.length; i++) {
            if (value[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
