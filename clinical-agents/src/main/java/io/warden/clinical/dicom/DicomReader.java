package io.warden.clinical.dicom;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.jspecify.annotations.Nullable;

/**
 * A small, dependency-free reader of DICOM Part 10 headers. It accepts files with or without the 128-byte
 * preamble and file meta information; implicit and explicit VR little endian, explicit VR big endian and
 * deflated explicit little endian data sets (any other transfer syntax is explicit little endian up to the
 * pixel data); defined and undefined lengths; sequences (skipped, nested up to {@link #MAX_DEPTH} deep) and UN.
 * {@link #read} stops at Pixel Data without reading it; {@link #readImage} also keeps the image pixel module and reads
 * the pixel data of uncompressed syntaxes and RLE for {@link DicomImage}, within its caps. It reports a file that ends inside an
 * element as truncated, and throws nothing but {@link DicomFormatException}, naming the file, the offset and a code.
 * <p>The input may be hostile, so what it declares is never trusted with memory, time or the stack: a length
 * is checked against what remains of the file (when its size is known) before anything is read or skipped, a
 * value kept is at most {@link #MAX_VALUE} bytes, a deflated data set may inflate to at most
 * {@link #MAX_INFLATED} bytes, and sequences nest at most {@link #MAX_DEPTH} deep; a file beyond any of these
 * is refused with the reason. Patient identifiers leave it only as
 * salted SHA-256 hashes. Thread-safe; a reader holds only its salt.
 * The hashing is shared with {@link DicomWebSource}, so both give equal hashes for equal values.
 */
public final class DicomReader {

    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String DEFLATED_LE = "1.2.840.10008.1.2.1.99";
    static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
    private static final int PIXEL_DATA = 0x7FE00010;
    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_END = 0xFFFEE00D;
    private static final int SEQUENCE_END = 0xFFFEE0DD;
    private static final long UNDEFINED = 0xFFFFFFFFL;
    /** The longest value kept: the attributes read are short strings and numbers, a few bytes to a few KB. */
    static final int MAX_VALUE = 4 * 1024 * 1024;
    /** The most bytes a deflated data set may inflate to; real headers inflate to well under a MB. */
    static final long MAX_INFLATED = 64L * 1024 * 1024;
    /** The deepest nesting of sequences read; real data sets rarely nest beyond 5, and recursion must not overflow. */
    static final int MAX_DEPTH = 16;
    /** VRs with a 2-byte reserved field and a 4-byte length in explicit VR. */
    private static final Set<String> LONG_VRS =
            Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");
    /** The top-level attributes kept, by tag. */
    private static final Map<Integer, String> WANTED = Map.ofEntries(
            Map.entry(0x0020000D, "study"),
            Map.entry(0x0020000E, "series"),
            Map.entry(0x00080018, "sop"),
            Map.entry(0x00080060, "modality"),
            Map.entry(0x00180015, "bodyPart"),
            Map.entry(0x0008103E, "seriesDescription"),
            Map.entry(0x00081030, "studyDescription"),
            Map.entry(0x00200037, "orientation"),
            Map.entry(0x00200032, "position"),
            Map.entry(0x00180050, "sliceThickness"),
            Map.entry(0x00280010, "rows"),
            Map.entry(0x00280011, "columns"),
            Map.entry(0x00280008, "frames"),
            Map.entry(0x00080070, "manufacturer"),
            Map.entry(0x00100020, "patientId"),
            Map.entry(0x00100010, "patientName"),
            Map.entry(0x00080005, "charset"));
    /** The attributes whose text is in the data set's Specific Character Set; the others are plain ASCII. */
    private static final Set<String> CHARACTER_SET_TEXT =
            Set.of("seriesDescription", "studyDescription", "manufacturer", "patientId", "patientName");
    /** Implicit VR has no VR on the wire: the VRs of the binary attributes read. */
    private static final Map<Integer, String> IMPLICIT_VRS = Map.of(
            0x00280010, "US",
            0x00280011, "US",
            0x00280002, "US",
            0x00280006, "US",
            0x00280100, "US",
            0x00280101, "US",
            0x00280102, "US",
            0x00280103, "US");
    /** The image pixel module and what renders it, kept only when the pixels are read ({@link #readImage}). */
    private static final Map<Integer, String> PIXEL_WANTED = Map.ofEntries(
            Map.entry(0x00280002, "samplesPerPixel"),
            Map.entry(0x00280004, "photometric"),
            Map.entry(0x00280006, "planarConfiguration"),
            Map.entry(0x00280100, "bitsAllocated"),
            Map.entry(0x00280101, "bitsStored"),
            Map.entry(0x00280102, "highBit"),
            Map.entry(0x00280103, "pixelRepresentation"),
            Map.entry(0x00281050, "windowCenter"),
            Map.entry(0x00281051, "windowWidth"),
            Map.entry(0x00281052, "rescaleIntercept"),
            Map.entry(0x00281053, "rescaleSlope"),
            Map.entry(0x00200013, "instanceNumber"));

    private final PatientHash hash;

    /** @param salt mixed into every patient hash, so that hashes cannot be matched against a list of identifiers */
    public DicomReader(byte[] salt) {
        this.hash = new PatientHash(salt);
    }

    public DicomHeader read(Path file) throws DicomFormatException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), Files.size(file));
        } catch (IOException e) {
            throw new DicomFormatException(file.toString(), 0, "cannot be read: " + e.getMessage());
        }
    }

    /** Reads a stream of unknown length: lengths are bounded by the caps only, and by the stream's end. */
    public DicomHeader read(InputStream stream, String name) throws DicomFormatException {
        return read(stream, name, -1);
    }

    /**
     * @param size the stream's length in bytes, or -1 when unknown; a declared length beyond it is refused before
     *     anything is read
     */
    public DicomHeader read(InputStream stream, String name, long size) throws DicomFormatException {
        Cursor in = new Cursor(new BufferedInputStream(stream, 64 * 1024), name, size);
        return read(in, () -> parse(in));
    }

    /**
     * Reads a file's header and the pixels of its first {@code frames} frames (uncompressed, or RLE Lossless) for
     * {@link DicomImage} to render. Refused with a {@link DicomFormatException} whose {@link DicomFormatException#code() code} says why:
     * {@link DicomImage#COMPRESSED}, {@link DicomImage#NO_PIXELS}, {@link DicomImage#TRUNCATED},
     * {@link DicomImage#TOO_LARGE}, {@link DicomImage#UNSUPPORTED} or {@link DicomFormatException#UNREADABLE}.
     *
     * @param size   the stream's length in bytes, or -1 when unknown
     * @param frames how many frames to keep from the first on (1: the first frame only); more than the file has
     *               keeps them all
     */
    public DicomImage readImage(InputStream stream, String name, long size, int frames) throws DicomFormatException {
        if (frames < 1) {
            throw new IllegalArgumentException("frames must be at least 1, got " + frames);
        }
        Cursor in = new Cursor(new BufferedInputStream(stream, 64 * 1024), name, size);
        in.pixelMode = true;
        return read(in, () -> {
            DicomHeader header = parse(in);
            return DicomImage.read(header, in.values, new PixelStream(in), frames);
        });
    }

    public DicomImage readImage(Path file, int frames) throws DicomFormatException {
        try (InputStream in = Files.newInputStream(file)) {
            return readImage(in, file.toString(), Files.size(file), frames);
        } catch (IOException e) {
            throw new DicomFormatException(file.toString(), 0, "cannot be read: " + e.getMessage());
        }
    }

    @FunctionalInterface
    private interface Parse<T> {
        T run() throws IOException, DicomFormatException;
    }

    private <T> T read(Cursor in, Parse<T> parse) throws DicomFormatException {
        String name = in.name;
        try {
            return parse.run();
        } catch (StackOverflowError e) {
            // MAX_DEPTH keeps the recursion shallow; this stays so that no input can ever fail more than its own read
            throw new DicomFormatException(name, in.offset, "malformed: nested too deeply");
        } catch (EOFException e) {
            throw new DicomFormatException(name, in.offset, "truncated: the file ends inside an element");
        } catch (IOException e) {
            throw new DicomFormatException(name, in.offset, "cannot be read: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new DicomFormatException(name, in.offset, "malformed: " + e.getMessage());
        } finally {
            if (in.inflater != null) {
                in.inflater.end(); // native memory, not left to the collector when many files are read
            }
        }
    }

    private DicomHeader parse(Cursor in) throws IOException, DicomFormatException {
        in.source.mark(132);
        byte[] head = in.readUpTo(132);
        boolean preamble =
                head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        in.source.reset();
        in.offset = 0;
        if (preamble) {
            in.skip(132);
        }
        Map<String, Object> values = in.values;
        String transferSyntax = null;
        // the file meta group: explicit VR little endian, whatever the data set's syntax
        if (preamble || startsWithMetaGroup(in)) {
            in.littleEndian = true;
            in.explicit = true;
            while (true) {
                in.source.mark(8);
                long mark = in.offset;
                int group = in.peekGroup();
                in.source.reset();
                in.offset = mark;
                if (group != 0x0002) {
                    break;
                }
                Element element = in.header();
                if (element.tag == 0x00020010) {
                    transferSyntax = text(in.value(element));
                } else {
                    in.skip(element.length);
                }
            }
        }
        if (transferSyntax == null) {
            transferSyntax = guessSyntax(in);
        }
        switch (transferSyntax) {
            case IMPLICIT_LE -> {
                in.littleEndian = true;
                in.explicit = false;
            }
            case EXPLICIT_BE -> {
                in.littleEndian = false;
                in.explicit = true;
            }
            case DEFLATED_LE -> {
                in.littleEndian = true;
                in.explicit = true;
                in.inflater = new Inflater(true);
                in.source = new BufferedInputStream(new InflaterInputStream(in.source, in.inflater), 64 * 1024);
                // the file's size no longer bounds what follows: the inflated bytes are capped instead
                in.limit = in.offset + MAX_INFLATED;
                in.inflated = true;
            }
            default -> {
                in.littleEndian = true;
                in.explicit = true;
            }
        }
        if (!DEFLATED_LE.equals(transferSyntax)) {
            // a data set written in the other VR encoding than its transfer syntax says (as pydicom does, go by the
            // bytes)
            boolean explicitOnDisk = !IMPLICIT_LE.equals(guessSyntax(in));
            if (explicitOnDisk != in.explicit && in.littleEndian) {
                in.explicit = explicitOnDisk;
            }
        }
        dataSet(in, values, true, -1);
        SpecificCharacterSet characterSet = SpecificCharacterSet.of(str(values, "charset"));
        for (String key : CHARACTER_SET_TEXT) {
            if (values.get(key) instanceof byte[] bytes) {
                String text = characterSet.decode(bytes, key.equals("patientName"));
                values.put(key, key.equals("patientName") ? withoutEmptyTrailingGroups(text) : text);
            }
        }
        List<Double> orientation = numbers((String) values.get("orientation"));
        List<Double> position = numbers((String) values.get("position"));
        return new DicomHeader(
                transferSyntax,
                str(values, "study"),
                str(values, "series"),
                str(values, "sop"),
                str(values, "modality"),
                str(values, "bodyPart"),
                str(values, "seriesDescription"),
                str(values, "studyDescription"),
                orientation,
                position,
                number(str(values, "sliceThickness")),
                integer(values.get("rows")),
                integer(values.get("columns")),
                integer(str(values, "frames")),
                str(values, "manufacturer"),
                hash.of(str(values, "patientId")),
                hash.of(str(values, "patientName")));
    }

    /** Reads elements until the end, Pixel Data, an item delimiter (inside an item) or {@code until} bytes. */
    private void dataSet(Cursor in, Map<String, Object> values, boolean topLevel, long until)
            throws IOException, DicomFormatException {
        while (until < 0 || in.offset < until) {
            if (topLevel && in.atEnd()) {
                return;
            }
            Element element = in.header();
            if (element.tag == PIXEL_DATA) {
                if (topLevel) {
                    in.pixelData = element; // the cursor stands at its first byte, for readImage
                }
                return; // stop before the pixels
            }
            if (element.tag == ITEM_END) {
                return;
            }
            boolean sequence = "SQ".equals(element.vr)
                    || (element.length == UNDEFINED && (element.vr == null || "UN".equals(element.vr)));
            if (sequence) {
                sequence(in, element);
                continue;
            }
            if (element.length == UNDEFINED) {
                throw new DicomFormatException(in.name, in.offset, "undefined length for a " + element.vr + " element");
            }
            String key = topLevel ? WANTED.get(element.tag) : null;
            String pixelKey = topLevel && in.pixelMode ? PIXEL_WANTED.get(element.tag) : null;
            if (key == null && pixelKey != null) {
                key = pixelKey;
            }
            if (key == null) {
                in.skip(element.length);
                continue;
            }
            byte[] value = in.value(element);
            String vr = element.vr != null && !(pixelKey != null && "UN".equals(element.vr))
                    ? element.vr
                    : IMPLICIT_VRS.getOrDefault(element.tag, "LO");
            values.put(
                    key,
                    vr.equals("US") || (pixelKey != null && vr.equals("SS"))
                            ? (Object) in.unsignedShort(value)
                            : CHARACTER_SET_TEXT.contains(key) ? trimmed(value) : text(value));
        }
    }

    private void sequence(Cursor in, Element element) throws IOException, DicomFormatException {
        if (in.depth >= MAX_DEPTH) {
            throw new DicomFormatException(in.name, in.offset, "sequences nested more than " + MAX_DEPTH + " deep");
        }
        in.depth++;
        boolean wasExplicit = in.explicit;
        boolean wasLittle = in.littleEndian;
        if ("UN".equals(element.vr) || element.vr == null && element.length == UNDEFINED && !wasExplicit) {
            // a sequence of unknown VR is encoded implicit VR little endian
            if ("UN".equals(element.vr)) {
                in.explicit = false;
                in.littleEndian = true;
            }
        }
        try {
            long end = element.length == UNDEFINED ? -1 : in.offset + element.length;
            while (end < 0 || in.offset < end) {
                int tag = in.tag();
                long length = in.uint32();
                if (tag == SEQUENCE_END) {
                    return;
                }
                if (tag != ITEM) {
                    throw new DicomFormatException(
                            in.name,
                            in.offset - 8,
                            String.format(
                                    Locale.ROOT, "expected an item, found (%04X,%04X)", tag >>> 16, tag & 0xFFFF));
                }
                if (length == UNDEFINED) {
                    dataSet(in, new HashMap<>(), false, -1); // returns after the item delimiter
                } else {
                    in.skip(length);
                }
            }
        } finally {
            in.explicit = wasExplicit;
            in.littleEndian = wasLittle;
            in.depth--;
        }
    }

    private static boolean startsWithMetaGroup(Cursor in) throws IOException {
        in.source.mark(8);
        byte[] head = in.readUpTo(6);
        in.source.reset();
        in.offset = 0;
        return head.length == 6
                && head[0] == 0x02
                && head[1] == 0x00
                && Character.isUpperCase(head[4])
                && Character.isUpperCase(head[5]);
    }

    /** No file meta: explicit VR if a VR follows the first tag, big endian if the group reads better that way. */
    private static String guessSyntax(Cursor in) throws IOException {
        in.source.mark(8);
        long mark = in.offset;
        byte[] head = in.readUpTo(6);
        in.source.reset();
        in.offset = mark;
        if (head.length < 6) {
            return IMPLICIT_LE;
        }
        boolean explicit = Character.isUpperCase(head[4]) && Character.isUpperCase(head[5]);
        boolean bigEndian =
                head[0] == 0 && head[1] != 0; // groups are small numbers: (0008,...) reads 00 08 in big endian
        return !explicit ? IMPLICIT_LE : bigEndian ? EXPLICIT_BE : EXPLICIT_LE;
    }

    /** A value, or null when absent or empty (DICOM's type 2 attributes may be present without a value). */
    private static @Nullable String str(Map<String, Object> values, String key) {
        Object value = values.get(key);
        return value == null || value.toString().isBlank() ? null : value.toString();
    }

    private static String text(byte[] value) {
        return new String(trimmed(value), StandardCharsets.ISO_8859_1);
    }

    /**
     * A person name without empty trailing groups ({@code Wang^XiaoDong=王^小東=} is {@code Wang^XiaoDong=王^小東}), as
     * pydicom gives it and as DICOM JSON carries it (one field per group present), so that the hash is the same.
     */
    private static String withoutEmptyTrailingGroups(String name) {
        String[] values = name.split("\\\\", -1);
        for (int i = 0; i < values.length; i++) {
            int end = values[i].length();
            while (end > 0 && (values[i].charAt(end - 1) == '=' || values[i].charAt(end - 1) == ' ')) {
                end--;
            }
            values[i] = values[i].substring(0, end);
        }
        return String.join("\\", values);
    }

    /** The value without its padding: trailing NULs and spaces, leading spaces (bytes all character sets share). */
    private static byte[] trimmed(byte[] value) {
        int end = value.length;
        while (end > 0 && (value[end - 1] == 0 || value[end - 1] == ' ')) {
            end--;
        }
        int start = 0;
        while (start < end && value[start] == ' ') {
            start++;
        }
        return start == 0 && end == value.length ? value : Arrays.copyOfRange(value, start, end);
    }

    private static List<Double> numbers(@Nullable String text) {
        List<Double> numbers = new ArrayList<>();
        if (text != null && !text.isBlank()) {
            for (String part : text.split("\\\\")) {
                numbers.add(Double.parseDouble(part.strip()) + 0.0); // -0 is 0, as DICOMweb servers write it
            }
        }
        return numbers;
    }

    private static @Nullable Double number(@Nullable String text) {
        return text == null || text.isBlank() ? null : Double.parseDouble(text.strip()) + 0.0;
    }

    private static @Nullable Integer integer(@Nullable Object value) {
        if (value instanceof Integer number) {
            return number;
        }
        return value == null || value.toString().isBlank()
                ? null
                : Integer.parseInt(value.toString().strip());
    }

    private record Element(int tag, @Nullable String vr, long length) {}

    /** The stream with its offset and the current byte order and VR style. */
    private static final class Cursor {

        InputStream source;
        final String name;
        long offset;
        boolean littleEndian = true;
        boolean explicit = true;
        /** The offset past which there are no bytes (the file's size) or none may be read (the inflation cap); -1: unknown. */
        long limit;

        boolean inflated;

        @Nullable
        Inflater inflater;

        int depth;

        /** Whether the pixel module is kept and the pixel data element's header noted ({@link #readImage}). */
        boolean pixelMode;

        /** The top-level Pixel Data element's header, when the data set has one and the cursor stands after it. */
        @Nullable
        Element pixelData;

        final Map<String, Object> values = new HashMap<>();

        Cursor(InputStream source, String name, long size) {
            this.source = source;
            this.name = name;
            this.limit = size;
        }

        /** Refuses a length beyond what remains, before anything is read, skipped or allocated. */
        void require(long n) throws DicomFormatException {
            if (limit >= 0 && n > limit - offset) {
                throw new DicomFormatException(
                        name,
                        offset,
                        inflated
                                ? "a deflated data set that inflates to more than " + MAX_INFLATED
                                        + " bytes (an element of " + n + " bytes)"
                                : "truncated: an element of " + n + " bytes, but " + Math.max(0, limit - offset)
                                        + " remain");
            }
        }

        /** A value kept: bounded by what remains and by {@link #MAX_VALUE}. */
        byte[] value(Element element) throws IOException, DicomFormatException {
            require(element.length);
            if (element.length > MAX_VALUE) {
                throw new DicomFormatException(
                        name,
                        offset,
                        String.format(
                                Locale.ROOT,
                                "(%04X,%04X) declares a value of %d bytes, more than the %d a header value may have",
                                element.tag >>> 16,
                                element.tag & 0xFFFF,
                                element.length,
                                MAX_VALUE));
            }
            return read(element.length);
        }

        boolean atEnd() throws IOException {
            source.mark(1);
            int next = source.read();
            source.reset();
            return next < 0;
        }

        byte[] readUpTo(int n) throws IOException {
            byte[] bytes = source.readNBytes(n);
            offset += bytes.length;
            return bytes;
        }

        byte[] read(long n) throws IOException, DicomFormatException {
            require(n);
            if (n > MAX_VALUE) {
                throw new DicomFormatException(
                        name, offset, "an element of " + n + " bytes, more than " + MAX_VALUE + " read at once");
            }
            byte[] bytes = source.readNBytes((int) n);
            offset += bytes.length;
            if (bytes.length < n) {
                throw new EOFException();
            }
            return bytes;
        }

        void skip(long n) throws IOException, DicomFormatException {
            if (inflated) {
                require(n); // skipping inflates: capped. On a file it only moves a position, and stops at its end as it
                // always did
            }
            long left = n;
            while (left > 0) {
                long skipped = source.skip(left);
                if (skipped <= 0) {
                    if (source.read() < 0) {
                        offset += n - left;
                        throw new EOFException();
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
            offset += n;
        }

        int u16() throws IOException, DicomFormatException {
            byte[] b = read(2);
            return littleEndian ? (b[0] & 0xFF) | (b[1] & 0xFF) << 8 : (b[1] & 0xFF) | (b[0] & 0xFF) << 8;
        }

        long uint32() throws IOException, DicomFormatException {
            byte[] b = read(4);
            long value = littleEndian
                    ? (b[0] & 0xFFL) | (b[1] & 0xFFL) << 8 | (b[2] & 0xFFL) << 16 | (b[3] & 0xFFL) << 24
                    : (b[3] & 0xFFL) | (b[2] & 0xFFL) << 8 | (b[1] & 0xFFL) << 16 | (b[0] & 0xFFL) << 24;
            return value;
        }

        int tag() throws IOException, DicomFormatException {
            int group = u16();
            int element = u16();
            return group << 16 | element;
        }

        int peekGroup() throws IOException {
            byte[] b = readUpTo(2);
            if (b.length < 2) {
                return -1;
            }
            return littleEndian ? (b[0] & 0xFF) | (b[1] & 0xFF) << 8 : (b[1] & 0xFF) | (b[0] & 0xFF) << 8;
        }

        int unsignedShort(byte[] value) {
            if (value.length < 2) {
                return 0;
            }
            return littleEndian
                    ? (value[0] & 0xFF) | (value[1] & 0xFF) << 8
                    : (value[1] & 0xFF) | (value[0] & 0xFF) << 8;
        }

        Element header() throws IOException, DicomFormatException {
            int tag = tag();
            if ((tag >>> 16) == 0xFFFE) { // item and delimiters have no VR
                return new Element(tag, null, uint32());
            }
            if (!explicit) {
                return new Element(tag, null, uint32());
            }
            String vr = new String(read(2), StandardCharsets.US_ASCII);
            if (LONG_VRS.contains(vr)) {
                read(2);
                return new Element(tag, vr, uint32());
            }
            return new Element(tag, vr, u16());
        }
    }

    /**
     * The pixel data of a file read by {@link #readImage}, for {@link DicomImage} to take what it needs: where it
     * starts, how long it says it is, and reads bounded by what remains of the file.
     */
    static final class PixelStream {

        private final Cursor in;

        private PixelStream(Cursor in) {
            this.in = in;
        }

        String name() {
            return in.name;
        }

        long offset() {
            return in.offset;
        }

        /** Whether the data set has a top-level Pixel Data element. */
        boolean present() {
            return in.pixelData != null;
        }

        /** The declared length of Pixel Data, {@code 0xFFFFFFFF} when undefined (encapsulated). */
        long length() {
            return in.pixelData == null ? 0 : in.pixelData.length;
        }

        @Nullable
        String vr() {
            return in.pixelData == null ? null : in.pixelData.vr;
        }

        boolean littleEndian() {
            return in.littleEndian;
        }

        /** Bytes that remain in the file after the cursor, or -1 when the size is unknown (a stream, a deflated set). */
        long remaining() {
            return in.limit < 0 || in.inflated ? -1 : Math.max(0, in.limit - in.offset);
        }

        /**
         * Reads {@code n} bytes; a file that ends first is truncated. Memory grows with what arrives, not with what
         * is asked: a short stream that declares much allocates little.
         */
        byte[] read(long n) throws IOException, DicomFormatException {
            in.require(n);
            if (n > Integer.MAX_VALUE - 8) {
                throw new DicomFormatException(
                        in.name, in.offset, DicomImage.TOO_LARGE, "pixel data of " + n + " bytes");
            }
            byte[] bytes = in.source.readNBytes((int) n);
            in.offset += bytes.length;
            if (bytes.length < n) {
                throw new EOFException();
            }
            return bytes;
        }

        void skip(long n) throws IOException, DicomFormatException {
            in.skip(n);
        }

        /** The next tag in the data set's byte order: an item or a delimiter inside encapsulated pixel data. */
        int tag() throws IOException, DicomFormatException {
            return in.tag();
        }

        long uint32() throws IOException, DicomFormatException {
            return in.uint32();
        }
    }
}
