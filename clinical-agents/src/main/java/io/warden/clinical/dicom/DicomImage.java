package io.warden.clinical.dicom;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.jspecify.annotations.Nullable;

/**
 * The first frames of a DICOM instance, decoded from uncompressed pixel data (Implicit and Explicit VR Little Endian,
 * Deflated Explicit VR Little Endian and Explicit VR Big Endian) or from RLE Lossless, and rendered to 8 bits for an
 * image model.
 *
 * <p>What decodes: MONOCHROME1 and MONOCHROME2 with 1, 8, 16 or 32 bits allocated, unsigned or signed, any bits
 * stored and high bit; RGB, YBR_FULL and YBR_FULL_422 with 8 bits (RGB also 16), pixel- or plane-interleaved; one
 * frame or many. A grey image goes through the modality LUT (Rescale Slope and Intercept), then the first VOI window
 * (Window Center and Width, DICOM's linear function) or, without one, the frame's minimum to maximum; MONOCHROME1 is
 * inverted. A colour image is scaled to 8 bits per sample.
 *
 * <p>What is refused, with a {@link DicomFormatException} carrying the code: a compressed transfer syntax
 * ({@link #COMPRESSED}: JPEG, JPEG-LS, JPEG 2000, HTJ2K, MPEG, or any other that is not one of the five above, named
 * in the message), no Pixel Data ({@link #NO_PIXELS}), pixel data shorter than rows × columns × samples × bits
 * say or a file that ends inside it ({@link #TRUNCATED}), more than {@link #MAX_SIDE} on a side, {@link #MAX_PIXELS}
 * pixels or {@link #MAX_BYTES} bytes kept ({@link #TOO_LARGE}), and any other photometric interpretation or bit depth
 * (PALETTE COLOR, YBR_ICT, 64 bits: {@link #UNSUPPORTED}). Every length is checked before anything is allocated,
 * and memory grows with the bytes that arrive, never with what a file declares. Immutable and thread-safe.
 */
public final class DicomImage {

    /** A transfer syntax whose pixel data this class does not decompress. */
    public static final String COMPRESSED = "compressed-transfer-syntax";
    /** The instance has no top-level Pixel Data (a report, a structure set, a waveform). */
    public static final String NO_PIXELS = "no-pixel-data";
    /** The pixel data is shorter than its image needs, or the file ends inside it. */
    public static final String TRUNCATED = "pixel-data-truncated";
    /** Rows, columns, frames or bytes beyond the caps. */
    public static final String TOO_LARGE = "image-too-large";
    /** A pixel format this class does not render, or image attributes that contradict each other. */
    public static final String UNSUPPORTED = "unsupported-pixel-format";

    /** As the image decoder of uploaded PNG and JPEG files: well above a radiograph's 4,000 or so pixels. */
    public static final int MAX_SIDE = 16_384;
    /** Pixels in a frame: 64 megapixels. */
    public static final long MAX_PIXELS = 64L * 1024 * 1024;
    /** Bytes of pixel data kept at once, all kept frames together. */
    public static final long MAX_BYTES = 256L * 1024 * 1024;
    /** Frames an instance may declare; an enhanced CT or MR has hundreds, a cine a few thousand. */
    public static final int MAX_FRAMES = 100_000;

    private static final long UNDEFINED = 0xFFFFFFFFL;
    static final String RLE = "1.2.840.10008.1.2.5";
    private static final int ITEM = 0xFFFEE000;
    private static final int SEQUENCE_END = 0xFFFEE0DD;
    /** The RLE header: the number of segments and fifteen offsets (PS3.5 G.5). */
    private static final int RLE_HEADER = 64;

    private static final Set<String> NATIVE =
            Set.of(DicomReader.IMPLICIT_LE, DicomReader.EXPLICIT_LE, DicomReader.DEFLATED_LE, DicomReader.EXPLICIT_BE);
    private static final Map<String, String> SYNTAX_NAMES = Map.ofEntries(
            Map.entry("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"),
            Map.entry("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"),
            Map.entry("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"),
            Map.entry("1.2.840.10008.1.2.4.70", "JPEG Lossless, First-Order Prediction"),
            Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
            Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)"),
            Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000"),
            Map.entry("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component"),
            Map.entry("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000"),
            Map.entry("1.2.840.10008.1.2.5", "RLE Lossless"));

    /**
     * The image pixel module and what renders it, as the file states it (defaults where it may leave them out).
     *
     * @param windowCenter the first of Window Center's values, null when absent
     * @param windowWidth  the first of Window Width's values, null when absent
     */
    public record Pixels(
            int rows,
            int columns,
            int samplesPerPixel,
            String photometric,
            int planarConfiguration,
            int bitsAllocated,
            int bitsStored,
            int highBit,
            boolean signed,
            int numberOfFrames,
            double rescaleSlope,
            double rescaleIntercept,
            @Nullable Double windowCenter,
            @Nullable Double windowWidth) {}

    private final DicomHeader header;
    private final Pixels pixels;
    private final @Nullable Integer instanceNumber;
    private final byte[] data;
    private final int frames;
    private final boolean littleEndian;
    private final boolean swapWords;

    private DicomImage(
            DicomHeader header,
            Pixels pixels,
            @Nullable Integer instanceNumber,
            byte[] data,
            int frames,
            boolean littleEndian,
            boolean swapWords) {
        this.header = header;
        this.pixels = pixels;
        this.instanceNumber = instanceNumber;
        this.data = data;
        this.frames = frames;
        this.littleEndian = littleEndian;
        this.swapWords = swapWords;
    }

    public DicomHeader header() {
        return header;
    }

    public Pixels pixels() {
        return pixels;
    }

    /** Instance Number, when the file states one: the order of slices without a position. */
    public @Nullable Integer instanceNumber() {
        return instanceNumber;
    }

    /** Frames kept: the first {@code n} asked for, or all the file has when it has fewer. */
    public int frames() {
        return frames;
    }

    /** The human-readable name of a transfer syntax UID, or the UID itself. */
    public static String syntaxName(@Nullable String uid) {
        if (uid == null) {
            return "no transfer syntax";
        }
        String name = SYNTAX_NAMES.get(uid);
        if (name == null && uid.startsWith("1.2.840.10008.1.2.4.")) {
            name = "JPEG family or video";
        }
        return name == null ? uid : name + " (" + uid + ")";
    }

    /** Takes the pixel data at the cursor, after the header was parsed in pixel mode. */
    static DicomImage read(DicomHeader header, Map<String, Object> values, DicomReader.PixelStream in, int keep)
            throws DicomFormatException, IOException {
        String name = in.name();
        String syntax = header.transferSyntax();
        boolean rle = RLE.equals(syntax);
        if (syntax != null && !NATIVE.contains(syntax) && !rle) {
            throw new DicomFormatException(
                    name, in.offset(), COMPRESSED, "pixel data in " + syntaxName(syntax) + ", which is not decoded");
        }
        if (!in.present()) {
            throw new DicomFormatException(name, in.offset(), NO_PIXELS, "no Pixel Data (7FE0,0010)");
        }
        if (rle) {
            if (in.length() != UNDEFINED) {
                throw new DicomFormatException(
                        name, in.offset(), UNSUPPORTED, "RLE Lossless pixel data that is not encapsulated");
            }
            return rle(header, values, in, keep);
        }
        if (in.length() == UNDEFINED) {
            throw new DicomFormatException(
                    name,
                    in.offset(),
                    COMPRESSED,
                    "encapsulated pixel data under " + syntaxName(syntax) + ", which is not decoded");
        }
        Pixels pixels = pixels(header, values, name, in.offset());
        int samples = pixels.samplesPerPixel();
        long frameBits = (long) pixels.rows() * pixels.columns() * samples * pixels.bitsAllocated();
        if (pixels.photometric().equals("YBR_FULL_422")) {
            frameBits = frameBits * 2 / 3; // two luminance samples share one pair of chrominance samples
        }
        long needed = ceilBytes(frameBits * pixels.numberOfFrames());
        if (in.length() < needed) {
            throw new DicomFormatException(
                    name,
                    in.offset(),
                    TRUNCATED,
                    "Pixel Data holds " + in.length() + " bytes; " + pixels.numberOfFrames() + " frame(s) of "
                            + pixels.rows() + " x " + pixels.columns() + " x " + samples + " samples of "
                            + pixels.bitsAllocated() + " bits need " + needed);
        }
        long remaining = in.remaining();
        if (remaining >= 0 && in.length() > remaining) {
            throw new DicomFormatException(
                    name,
                    in.offset(),
                    TRUNCATED,
                    "Pixel Data declares " + in.length() + " bytes, but " + remaining + " remain in the file");
        }
        int kept = Math.min(keep, pixels.numberOfFrames());
        long bytes = ceilBytes(frameBits * kept);
        if (bytes > MAX_BYTES) {
            throw new DicomFormatException(
                    name,
                    in.offset(),
                    TOO_LARGE,
                    kept + " frame(s) of " + bytes + " bytes; at most " + MAX_BYTES + " are decoded at once");
        }
        byte[] data;
        try {
            data = in.read(bytes);
        } catch (EOFException e) {
            throw new DicomFormatException(name, in.offset(), TRUNCATED, "the file ends inside Pixel Data");
        }
        // in big endian an OW value is a run of 16-bit words; 8-bit samples in one are swapped pairwise
        boolean swap = !in.littleEndian() && pixels.bitsAllocated() == 8 && "OW".equals(in.vr());
        Integer instanceNumber = integer(values.get("instanceNumber"), name, in.offset(), "Instance Number", true);
        return new DicomImage(header, pixels, instanceNumber, data, kept, in.littleEndian(), swap);
    }

    /**
     * RLE Lossless (PS3.5 Annex G): the Basic Offset Table item, then one fragment per frame, each a 64-byte header
     * naming up to 15 segments (one per byte of each sample, most significant first) that PackBits-decode to rows ×
     * columns bytes each. Every item length is bounded by what remains and by {@link #MAX_BYTES}, fragments are read
     * only for the frames kept, and each decoded frame is laid out as native little-endian, pixel-interleaved data.
     */
    private static DicomImage rle(DicomHeader header, Map<String, Object> values, DicomReader.PixelStream in, int keep)
            throws DicomFormatException, IOException {
        String name = in.name();
        Pixels declared = pixels(header, values, name, in.offset());
        if (declared.bitsAllocated() % 8 != 0 || declared.photometric().equals("YBR_FULL_422")) {
            throw new DicomFormatException(
                    name,
                    in.offset(),
                    UNSUPPORTED,
                    "RLE Lossless with " + declared.bitsAllocated() + " bits allocated and " + declared.photometric());
        }
        // RLE segments are per sample: decoded, the frame is pixel-interleaved whatever the file says
        Pixels pixels = new Pixels(
                declared.rows(),
                declared.columns(),
                declared.samplesPerPixel(),
                declared.photometric(),
                0,
                declared.bitsAllocated(),
                declared.bitsStored(),
                declared.highBit(),
                declared.signed(),
                declared.numberOfFrames(),
                declared.rescaleSlope(),
                declared.rescaleIntercept(),
                declared.windowCenter(),
                declared.windowWidth());
        int bytes = pixels.bitsAllocated() / 8;
        int samples = pixels.samplesPerPixel();
        int perFrame = pixels.rows() * pixels.columns();
        int segments = samples * bytes;
        int kept = Math.min(keep, pixels.numberOfFrames());
        long frameBytes = (long) perFrame * segments;
        if (frameBytes * kept > MAX_BYTES) {
            throw new DicomFormatException(
                    name,
                    in.offset(),
                    TOO_LARGE,
                    kept + " frame(s) of " + frameBytes + " bytes; at most " + MAX_BYTES + " are decoded at once");
        }
        try {
            skipItem(in, name, "the Basic Offset Table");
            byte[] data = new byte[(int) (frameBytes * kept)];
            for (int f = 0; f < kept; f++) {
                long length = item(in, name, "frame " + (f + 1));
                if (length < RLE_HEADER || length > MAX_BYTES) {
                    throw new DicomFormatException(
                            name,
                            in.offset(),
                            TRUNCATED,
                            "an RLE fragment of " + length + " bytes for frame " + (f + 1));
                }
                byte[] fragment = in.read(length);
                decodeRle(fragment, data, (int) (frameBytes * f), perFrame, samples, bytes, name, in.offset(), f + 1);
            }
            return new DicomImage(
                    header,
                    pixels,
                    integer(values.get("instanceNumber"), name, in.offset(), "Instance Number", true),
                    data,
                    kept,
                    true,
                    false);
        } catch (EOFException e) {
            throw new DicomFormatException(name, in.offset(), TRUNCATED, "the file ends inside the RLE pixel data");
        }
    }

    /** The length of the next item, which must be one (not the end of the fragments). */
    private static long item(DicomReader.PixelStream in, String name, String what)
            throws IOException, DicomFormatException {
        int tag = in.tag();
        long length = in.uint32();
        if (tag == SEQUENCE_END) {
            throw new DicomFormatException(name, in.offset(), TRUNCATED, "the pixel data ends before " + what);
        }
        if (tag != ITEM || length == UNDEFINED) {
            throw new DicomFormatException(
                    name,
                    in.offset(),
                    UNSUPPORTED,
                    String.format(
                            Locale.ROOT,
                            "expected an item of defined length for %s, found (%04X,%04X)",
                            what,
                            tag >>> 16,
                            tag & 0xFFFF));
        }
        long remaining = in.remaining();
        if (remaining >= 0 && length > remaining) {
            throw new DicomFormatException(
                    name,
                    in.offset(),
                    TRUNCATED,
                    what + " declares " + length + " bytes, but " + remaining + " remain");
        }
        return length;
    }

    private static void skipItem(DicomReader.PixelStream in, String name, String what)
            throws IOException, DicomFormatException {
        in.skip(item(in, name, what));
    }

    /** PackBits-decodes each segment of one fragment into its byte of its sample, little-endian and interleaved. */
    private static void decodeRle(
            byte[] fragment,
            byte[] data,
            int frameStart,
            int perFrame,
            int samples,
            int bytes,
            String name,
            long offset,
            int frame)
            throws DicomFormatException {
        ByteBuffer head = ByteBuffer.wrap(fragment, 0, RLE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        long count = head.getInt(0) & 0xFFFFFFFFL;
        int segments = samples * bytes;
        if (count != segments) {
            throw new DicomFormatException(
                    name,
                    offset,
                    UNSUPPORTED,
                    "frame " + frame + " has " + count + " RLE segments; " + samples + " samples of " + bytes
                            + " bytes need " + segments);
        }
        for (int segment = 0; segment < segments; segment++) {
            long start = head.getInt(4 + 4 * segment) & 0xFFFFFFFFL;
            long end = segment + 1 < segments ? head.getInt(8 + 4 * segment) & 0xFFFFFFFFL : fragment.length;
            if (start < RLE_HEADER || end < start || end > fragment.length) {
                throw new DicomFormatException(
                        name,
                        offset,
                        TRUNCATED,
                        "frame " + frame + " RLE segment " + (segment + 1) + " spans " + start + ".." + end + " of a "
                                + fragment.length + "-byte fragment");
            }
            int sample = segment / bytes;
            int significance = bytes - 1 - segment % bytes; // segment 0 of a sample is its most significant byte
            int out = 0;
            int at = (int) start;
            while (at < end && out < perFrame) {
                int n = fragment[at++];
                if (n >= 0) {
                    for (int k = 0; k <= n && at < end && out < perFrame; k++, out++) {
                        data[frameStart + (out * samples + sample) * bytes + significance] = fragment[at++];
                    }
                } else if (n != -128 && at < end) {
                    byte value = fragment[at++];
                    for (int k = 0; k < 1 - n && out < perFrame; k++, out++) {
                        data[frameStart + (out * samples + sample) * bytes + significance] = value;
                    }
                }
            }
            if (out < perFrame) {
                throw new DicomFormatException(
                        name,
                        offset,
                        TRUNCATED,
                        "frame " + frame + " RLE segment " + (segment + 1) + " decodes to " + out + " of " + perFrame
                                + " bytes");
            }
        }
    }

    private static long ceilBytes(long bits) {
        return (bits + 7) / 8;
    }

    private static Pixels pixels(DicomHeader header, Map<String, Object> values, String name, long offset)
            throws DicomFormatException {
        Integer rows = header.rows();
        Integer columns = header.columns();
        if (rows == null || columns == null || rows < 1 || columns < 1) {
            throw new DicomFormatException(
                    name, offset, UNSUPPORTED, "Rows and Columns must be positive, got " + rows + " x " + columns);
        }
        if (rows > MAX_SIDE || columns > MAX_SIDE || (long) rows * columns > MAX_PIXELS) {
            throw new DicomFormatException(
                    name,
                    offset,
                    TOO_LARGE,
                    rows + " x " + columns + " pixels; at most " + MAX_SIDE + " on a side and " + MAX_PIXELS
                            + " in all are decoded");
        }
        int frames = header.numberOfFrames() == null ? 1 : header.numberOfFrames();
        if (frames < 1 || frames > MAX_FRAMES) {
            throw new DicomFormatException(
                    name, offset, frames < 1 ? UNSUPPORTED : TOO_LARGE, "Number of Frames is " + frames);
        }
        int samples = required(values, "samplesPerPixel", name, offset, "Samples per Pixel");
        String photometric = values.get("photometric") == null
                ? ""
                : values.get("photometric").toString().strip().toUpperCase(Locale.ROOT);
        int bitsAllocated = required(values, "bitsAllocated", name, offset, "Bits Allocated");
        Integer stored = integer(values.get("bitsStored"), name, offset, "Bits Stored", false);
        int bitsStored = stored == null ? bitsAllocated : stored;
        Integer high = integer(values.get("highBit"), name, offset, "High Bit", false);
        int highBit = high == null ? bitsStored - 1 : high;
        Integer representation =
                integer(values.get("pixelRepresentation"), name, offset, "Pixel Representation", false);
        Integer planar = integer(values.get("planarConfiguration"), name, offset, "Planar Configuration", false);
        boolean grey = photometric.equals("MONOCHROME1") || photometric.equals("MONOCHROME2");
        boolean colour =
                photometric.equals("RGB") || photometric.equals("YBR_FULL") || photometric.equals("YBR_FULL_422");
        String refusal = null;
        if (!grey && !colour) {
            refusal = "Photometric Interpretation '" + photometric + "' is not rendered (MONOCHROME1, MONOCHROME2, RGB,"
                    + " YBR_FULL and YBR_FULL_422 are)";
        } else if (grey && samples != 1 || colour && samples != 3) {
            refusal = photometric + " with " + samples + " samples per pixel";
        } else if (grey && bitsAllocated != 1 && bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32) {
            refusal = "grey pixels of " + bitsAllocated + " bits allocated (1, 8, 16 and 32 are decoded)";
        } else if (colour && bitsAllocated != 8 && !(photometric.equals("RGB") && bitsAllocated == 16)) {
            refusal = photometric + " pixels of " + bitsAllocated + " bits allocated (8, and 16 for RGB, are decoded)";
        } else if (bitsStored < 1
                || bitsStored > bitsAllocated
                || highBit < bitsStored - 1
                || highBit >= bitsAllocated) {
            refusal = "Bits Stored " + bitsStored + " and High Bit " + highBit + " do not fit Bits Allocated "
                    + bitsAllocated;
        } else if (representation != null && representation != 0 && representation != 1) {
            refusal = "Pixel Representation " + representation;
        } else if (photometric.equals("YBR_FULL_422") && (columns % 2 != 0 || planar != null && planar != 0)) {
            refusal = "YBR_FULL_422 needs an even number of columns and pixel-interleaved samples";
        }
        if (refusal != null) {
            throw new DicomFormatException(name, offset, UNSUPPORTED, refusal);
        }
        double slope = decimal(values.get("rescaleSlope"), 1.0, name, offset, "Rescale Slope");
        double intercept = decimal(values.get("rescaleIntercept"), 0.0, name, offset, "Rescale Intercept");
        Double center = first(values.get("windowCenter"), name, offset, "Window Center");
        Double width = first(values.get("windowWidth"), name, offset, "Window Width");
        return new Pixels(
                rows,
                columns,
                samples,
                photometric,
                planar == null ? 0 : planar,
                bitsAllocated,
                bitsStored,
                highBit,
                representation != null && representation == 1,
                frames,
                slope == 0 ? 1.0 : slope,
                intercept,
                center,
                width);
    }

    private static int required(Map<String, Object> values, String key, String name, long offset, String attribute)
            throws DicomFormatException {
        Integer value = integer(values.get(key), name, offset, attribute, false);
        if (value == null) {
            throw new DicomFormatException(name, offset, UNSUPPORTED, "no " + attribute);
        }
        return value;
    }

    private static @Nullable Integer integer(
            @Nullable Object value, String name, long offset, String attribute, boolean lenient)
            throws DicomFormatException {
        if (value instanceof Integer number) {
            return number;
        }
        if (value == null || value.toString().isBlank()) {
            return null;
        }
        try {
            return Integer.parseInt(value.toString().split("\\\\")[0].strip());
        } catch (NumberFormatException e) {
            if (lenient) {
                return null; // an ordering hint only: a wrong one costs no more than a missing one
            }
            throw new DicomFormatException(name, offset, UNSUPPORTED, attribute + " is not a number: " + value);
        }
    }

    private static double decimal(@Nullable Object value, double absent, String name, long offset, String attribute)
            throws DicomFormatException {
        Double number = first(value, name, offset, attribute);
        return number == null ? absent : number;
    }

    private static @Nullable Double first(@Nullable Object value, String name, long offset, String attribute)
            throws DicomFormatException {
        if (value == null || value.toString().isBlank()) {
            return null;
        }
        try {
            double number = Double.parseDouble(value.toString().split("\\\\")[0].strip());
            if (!Double.isFinite(number)) {
                throw new NumberFormatException("not finite");
            }
            return number;
        } catch (NumberFormatException e) {
            throw new DicomFormatException(name, offset, UNSUPPORTED, attribute + " is not a number: " + value);
        }
    }

    /**
     * One stored sample as the file holds it, after Bits Stored, High Bit and Pixel Representation: {@code pixel}
     * counts along rows from the top left, {@code sample} is 0 for grey and 0..2 for colour.
     */
    long sample(int frame, int pixel, int sample) {
        int perFrame = pixels.rows() * pixels.columns();
        int samples = pixels.samplesPerPixel();
        long index = pixels.planarConfiguration() == 1
                ? (long) frame * perFrame * samples + (long) sample * perFrame + pixel
                : ((long) frame * perFrame + pixel) * samples + sample;
        int bits = pixels.bitsAllocated();
        long raw;
        if (bits == 1) {
            long bit = index;
            raw = (data[(int) (bit >>> 3)] >> (int) (bit & 7)) & 1;
        } else {
            int bytes = bits / 8;
            long at = index * bytes;
            raw = 0;
            for (int b = 0; b < bytes; b++) {
                int position = (int) at + (littleEndian ? bytes - 1 - b : b);
                if (swapWords) {
                    position ^= 1;
                }
                raw = raw << 8 | (data[position] & 0xFFL);
            }
        }
        int shift = pixels.highBit() + 1 - pixels.bitsStored();
        long value = (raw >>> shift) & ((1L << pixels.bitsStored()) - 1);
        if (pixels.signed() && (value & (1L << (pixels.bitsStored() - 1))) != 0) {
            value -= 1L << pixels.bitsStored();
        }
        return value;
    }

    /** The frame as 8-bit grey or RGB, as the class comment says. */
    public BufferedImage render(int frame) {
        if (frame < 0 || frame >= frames) {
            throw new IndexOutOfBoundsException("frame " + frame + " of " + frames + " kept");
        }
        return switch (pixels.photometric()) {
            case "MONOCHROME1", "MONOCHROME2" -> grey(frame);
            case "YBR_FULL_422" -> ybr422(frame);
            default -> colour(frame);
        };
    }

    /** The frame rendered and encoded as PNG, as an {@link io.warden.clinical.ImageEmbedder} takes it. */
    public byte[] png(int frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(render(frame), "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding to memory failed", e); // no I/O happens: a JDK defect
        }
        return out.toByteArray();
    }

    private BufferedImage grey(int frame) {
        int w = pixels.columns();
        int n = pixels.rows() * w;
        double slope = pixels.rescaleSlope();
        double intercept = pixels.rescaleIntercept();
        Double windowCenter = pixels.windowCenter();
        Double windowWidth = pixels.windowWidth();
        boolean window = windowCenter != null && windowWidth != null && windowWidth >= 1;
        double center = windowCenter != null ? windowCenter : 0;
        double width = windowWidth != null ? windowWidth : 1;
        double low;
        double high;
        if (window) {
            // PS3.3 C.11.2.1.2.1: x <= c - 0.5 - (w-1)/2 is black, x > c - 0.5 + (w-1)/2 is white, linear between
            low = center - 0.5 - (width - 1) / 2;
            high = center - 0.5 + (width - 1) / 2;
        } else {
            low = Double.POSITIVE_INFINITY;
            high = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < n; p++) {
                double v = sample(frame, p, 0) * slope + intercept;
                low = Math.min(low, v);
                high = Math.max(high, v);
            }
        }
        boolean invert = pixels.photometric().equals("MONOCHROME1");
        BufferedImage image = new BufferedImage(w, pixels.rows(), BufferedImage.TYPE_BYTE_GRAY);
        byte[] out = new byte[n];
        for (int p = 0; p < n; p++) {
            double v = sample(frame, p, 0) * slope + intercept;
            int level;
            if (window) {
                level = v <= low ? 0 : v > high ? 255 : level(((v - (center - 0.5)) / (width - 1) + 0.5) * 255);
            } else {
                level = high > low ? level((v - low) / (high - low) * 255) : 0;
            }
            out[p] = (byte) (invert ? 255 - level : level);
        }
        image.getRaster().setDataElements(0, 0, w, pixels.rows(), out);
        return image;
    }

    private static int level(double value) {
        return (int) Math.max(0, Math.min(255, Math.round(value)));
    }

    private BufferedImage colour(int frame) {
        int w = pixels.columns();
        int n = pixels.rows() * w;
        int shift = Math.max(0, pixels.bitsStored() - 8);
        boolean ybr = pixels.photometric().equals("YBR_FULL");
        int[] rgb = new int[n];
        for (int p = 0; p < n; p++) {
            int a = (int) (sample(frame, p, 0) >>> shift) & 0xFF;
            int b = (int) (sample(frame, p, 1) >>> shift) & 0xFF;
            int c = (int) (sample(frame, p, 2) >>> shift) & 0xFF;
            rgb[p] = ybr ? fromYbr(a, b, c) : a << 16 | b << 8 | c;
        }
        BufferedImage image = new BufferedImage(w, pixels.rows(), BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, w, pixels.rows(), rgb, 0, w);
        return image;
    }

    /** Y0 Y1 Cb Cr for each pair of pixels along a row (PS3.3 C.7.6.3.1.2). */
    private BufferedImage ybr422(int frame) {
        int w = pixels.columns();
        int n = pixels.rows() * w;
        int offset = frame * n * 2;
        int[] rgb = new int[n];
        for (int p = 0; p < n; p += 2) {
            int at = offset + p * 2;
            int cb = data[at + 2] & 0xFF;
            int cr = data[at + 3] & 0xFF;
            rgb[p] = fromYbr(data[at] & 0xFF, cb, cr);
            rgb[p + 1] = fromYbr(data[at + 1] & 0xFF, cb, cr);
        }
        BufferedImage image = new BufferedImage(w, pixels.rows(), BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, w, pixels.rows(), rgb, 0, w);
        return image;
    }

    /** Full-range YCbCr to RGB (PS3.3 C.7.6.3.1.2, the inverse of its YBR_FULL equations). */
    private static int fromYbr(int y, int cb, int cr) {
        int r = level(y + 1.402 * (cr - 128));
        int g = level(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128));
        int b = level(y + 1.772 * (cb - 128));
        return r << 16 | g << 8 | b;
    }
}
