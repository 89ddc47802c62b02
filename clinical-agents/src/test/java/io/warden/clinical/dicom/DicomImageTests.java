package io.warden.clinical.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pixel decoding against pydicom's {@code pixel_array} for every uncompressed image among Debian's pydicom test
 * files (each transfer syntax, grey and colour, 1 to 32 bits, signed, planar, multi-frame), the refusal of every
 * compressed one naming its syntax, and rendering to 8 bits checked by hand on images built here.
 */
class DicomImageTests {

    static final Path FILES = DicomReaderTests.FILES;
    static final DicomReader READER = new DicomReader("salt".getBytes(StandardCharsets.UTF_8));

    /** Uncompressed images pydicom decodes with numpy: the syntaxes, photometric interpretations and depths covered. */
    static final List<String> DECODED = List.of(
            "CT_small.dcm", // explicit LE, MONOCHROME2, 16 bits signed, rescale
            "MR_small.dcm", // explicit LE, window
            "MR_small_implicit.dcm", // implicit LE
            "MR_small_bigendian.dcm", // explicit BE
            "MR_small_expb.dcm",
            "MR_small_padded.dcm",
            "ExplVR_BigEnd.dcm", // explicit BE, RGB 8 bits
            "SC_rgb_small_odd.dcm", // RGB with an odd size
            "SC_rgb_jpeg_dcmd.dcm", // implicit LE RGB
            "image_dfl.dcm", // deflated explicit LE, 8 bits
            "liver_1frame.dcm", // 1 bit
            "liver_expb_1frame.dcm", // 1 bit, big endian
            "rtdose.dcm", // 32 bits, 15 frames
            "rtdose_1frame.dcm",
            "rtdose_expb.dcm",
            "rtdose_expb_1frame.dcm",
            "MR_small_RLE.dcm", // RLE Lossless, 16 bits signed
            "SC_rgb_rle.dcm", // RLE RGB
            "SC_rgb_rle_2frame.dcm",
            "SC_rgb_rle_16bit.dcm",
            "SC_rgb_rle_16bit_2frame.dcm",
            "rtdose_rle.dcm", // RLE, 32 bits, 15 frames
            "rtdose_rle_1frame.dcm");

    static final Map<String, String> COMPRESSED = new TreeMap<>(Map.ofEntries(
            Map.entry("693_J2KI.dcm", "JPEG 2000"),
            Map.entry("JPEG-lossy.dcm", "JPEG Extended"),
            Map.entry("JPEG2000.dcm", "JPEG 2000"),
            Map.entry("MR_small_jp2klossless.dcm", "JPEG 2000 (Lossless Only)"),
            Map.entry("MR_small_jpeg_ls_lossless.dcm", "JPEG-LS Lossless"),
            Map.entry("SC_rgb_jpeg_gdcm.dcm", "JPEG Lossless, First-Order Prediction"),
            Map.entry("SC_rgb_jpeg.dcm", "JPEG Baseline"),
            Map.entry("SC_jpeg_no_color_transform.dcm", "JPEG Baseline")));

    @Test
    void everyUncompressedPydicomImageDecodesToPydicomsPixelArray() throws Exception {
        Map<String, JsonNode> expected = pixelArrays(DECODED);
        for (String name : DECODED) {
            JsonNode want = Objects.requireNonNull(expected.get(name), name);
            assertThat(want.has("error"))
                    .as("pydicom decodes %s: %s", name, want)
                    .isFalse();
            DicomImage image = READER.readImage(FILES.resolve(name), Integer.MAX_VALUE);
            List<Integer> shape = new ArrayList<>();
            want.get("shape").forEach(n -> shape.add(n.asInt()));
            int frames = image.pixels().numberOfFrames();
            assertThat(image.frames()).as(name).isEqualTo(frames);
            int samples = image.pixels().samplesPerPixel();
            int perFrame = image.pixels().rows() * image.pixels().columns();
            assertThat(shape.stream().reduce(1, (a, b) -> a * b))
                    .as("%s: pydicom's shape %s", name, shape)
                    .isEqualTo(frames * perFrame * samples);
            JsonNode values = want.get("values");
            int i = 0;
            for (int f = 0; f < frames; f++) {
                for (int p = 0; p < perFrame; p++) {
                    for (int s = 0; s < samples; s++, i++) {
                        long mine = image.sample(f, p, s);
                        if (mine != values.get(i).asLong()) {
                            throw new AssertionError(name + ": frame " + f + " pixel " + p + " sample " + s + " is "
                                    + mine + ", pydicom has " + values.get(i).asLong());
                        }
                    }
                }
            }
            for (int f = 0; f < frames; f++) {
                BufferedImage rendered = ImageIO.read(new ByteArrayInputStream(image.png(f)));
                assertThat(rendered.getWidth()).isEqualTo(image.pixels().columns());
                assertThat(rendered.getHeight()).isEqualTo(image.pixels().rows());
            }
        }
    }

    @Test
    void uncompressedYbrFull422RendersAsPydicomConvertsItToRgb() throws Exception {
        String script = """
                import json, sys, pydicom
                from pydicom.pixel_data_handlers.util import convert_color_space
                d = pydicom.dcmread(sys.argv[1])
                print(json.dumps([int(v) for v in convert_color_space(d.pixel_array, 'YBR_FULL', 'RGB').flatten()]))
                """;
        Process python = new ProcessBuilder(
                        "/usr/bin/python3",
                        "-c",
                        script,
                        FILES.resolve("SC_ybr_full_422_uncompressed.dcm").toString())
                .start();
        JsonNode rgb =
                JsonMapper.builder().build().readTree(python.getInputStream().readAllBytes());
        assertThat(python.waitFor()).isZero();
        DicomImage image = READER.readImage(FILES.resolve("SC_ybr_full_422_uncompressed.dcm"), 1);
        BufferedImage rendered = image.render(0);
        int i = 0;
        for (int y = 0; y < rendered.getHeight(); y++) {
            for (int x = 0; x < rendered.getWidth(); x++) {
                int pixel = rendered.getRGB(x, y);
                for (int shift = 16; shift >= 0; shift -= 8, i++) {
                    int mine = pixel >> shift & 0xFF;
                    int theirs = rgb.get(i).asInt();
                    if (Math.abs(mine - theirs) > 2) {
                        throw new AssertionError("(" + x + "," + y + ") channel " + (2 - shift / 8) + " is " + mine
                                + ", pydicom has " + theirs);
                    }
                }
            }
        }
        assertThat(i).isEqualTo(rgb.size());
    }

    @Test
    void mutationsOfEveryPydicomImageDecodeOrAreRefusedWithACodeInBoundedMemory() throws Exception {
        List<byte[]> corpus = new ArrayList<>();
        for (String name : DECODED) {
            corpus.add(Files.readAllBytes(FILES.resolve(name)));
        }
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Random random = new Random(19);
        int refused = 0;
        for (int i = 0; i < 1500; i++) {
            byte[] original = corpus.get(random.nextInt(corpus.size()));
            byte[] mutated = original.clone();
            if (i % 4 == 0) {
                mutated = Arrays.copyOf(original, random.nextInt(original.length));
            } else {
                for (int c = 0; c < 1 + random.nextInt(4); c++) {
                    int at = random.nextInt(Math.min(mutated.length, 4096) - 4);
                    switch (random.nextInt(3)) {
                        case 0 ->
                            ByteBuffer.wrap(mutated, at, 4)
                                    .order(ByteOrder.LITTLE_ENDIAN)
                                    .putInt(0x7FFFFFF0);
                        case 1 -> mutated[at] = (byte) random.nextInt(256);
                        default ->
                            ByteBuffer.wrap(mutated, at, 2)
                                    .order(ByteOrder.LITTLE_ENDIAN)
                                    .putShort((short) -1);
                    }
                }
            }
            boolean sizeKnown = i % 2 == 0;
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                DicomImage image = READER.readImage(
                        new ByteArrayInputStream(mutated), "m" + i, sizeKnown ? mutated.length : -1, 2);
                image.render(0);
            } catch (DicomFormatException e) {
                assertThat(e.code()).isNotBlank();
                refused++;
            } catch (Throwable e) {
                throw new AssertionError("mutation " + i + " failed with " + e, e);
            }
            assertThat(threads.getCurrentThreadAllocatedBytes() - before)
                    .as("bytes allocated for mutation %d", i)
                    .isLessThan(48L * 1024 * 1024);
        }
        assertThat(refused).isGreaterThan(100);
    }

    @Test
    void theFirstFrameAloneIsKeptWhenOneIsAsked() throws Exception {
        DicomImage all = READER.readImage(FILES.resolve("rtdose.dcm"), Integer.MAX_VALUE);
        DicomImage first = READER.readImage(FILES.resolve("rtdose.dcm"), 1);
        assertThat(all.frames()).isEqualTo(15);
        assertThat(first.frames()).isEqualTo(1);
        assertThat(first.png(0)).isEqualTo(all.png(0));
        assertThatThrownBy(() -> first.render(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void everyCompressedPydicomImageIsRefusedNamingItsTransferSyntax() {
        COMPRESSED.forEach((name, syntax) -> assertThatThrownBy(() -> READER.readImage(FILES.resolve(name), 1))
                .as(name)
                .isInstanceOfSatisfying(DicomFormatException.class, e -> {
                    assertThat(e.code()).isEqualTo(DicomImage.COMPRESSED);
                    assertThat(e.getMessage())
                            .contains(syntax)
                            .contains("1.2.840.10008.1.2.")
                            .contains(name);
                }));
    }

    @Test
    void rleOf32BitColourIsRefusedAsUnsupportedAndACutRleFragmentAsTruncated() throws Exception {
        assertThatThrownBy(() -> READER.readImage(FILES.resolve("SC_rgb_rle_32bit.dcm"), 1))
                .isInstanceOfSatisfying(
                        DicomFormatException.class, e -> assertThat(e.code()).isEqualTo(DicomImage.UNSUPPORTED));
        // the only fragment ends 154 bytes before the file does (a delimiter and trailing elements frame 1 does not
        // need)
        byte[] whole = Files.readAllBytes(FILES.resolve("MR_small_RLE.dcm"));
        for (int cut : new int[] {whole.length - 160, whole.length - 1000, whole.length - 3000}) {
            byte[] file = Arrays.copyOf(whole, cut);
            for (long size : new long[] {file.length, -1}) {
                assertThatThrownBy(() -> READER.readImage(new ByteArrayInputStream(file), "cut", size, 1))
                        .as("cut at %d, size %d", cut, size)
                        .isInstanceOfSatisfying(
                                DicomFormatException.class,
                                e -> assertThat(e.code()).isEqualTo(DicomImage.TRUNCATED));
            }
        }
    }

    @Test
    void aTruncatedFileAndOneWithoutPixelsAreRefusedWithTheirCodes() {
        assertThatThrownBy(() -> READER.readImage(FILES.resolve("MR_truncated.dcm"), 1))
                .isInstanceOfSatisfying(
                        DicomFormatException.class, e -> assertThat(e.code()).isEqualTo(DicomImage.TRUNCATED));
        assertThatThrownBy(() -> READER.readImage(FILES.resolve("reportsi.dcm"), 1))
                .isInstanceOfSatisfying(
                        DicomFormatException.class, e -> assertThat(e.code()).isEqualTo(DicomImage.NO_PIXELS));
    }

    @Test
    void aWindowMapsByDicomsLinearFunctionAndWithoutOneByMinimumToMaximum() throws Exception {
        // 4 pixels, 16-bit signed, slope 2 intercept -100: stored 0, 50, 100, 150 -> -100, 0, 100, 200
        byte[] pixels = shorts(0, 50, 100, 150);
        Map<Integer, Object> attributes = new TreeMap<>(Map.of(0x00281052, "-100", 0x00281053, "2"));
        DicomImage minMax = image(grey(2, 2, 16, 16, 1, "MONOCHROME2", attributes), pixels);
        assertThat(levels(minMax)).containsExactly(0, 85, 170, 255);

        attributes.put(0x00281050, "50\\999"); // the first of several windows
        attributes.put(0x00281051, "201\\1");
        DicomImage windowed = image(grey(2, 2, 16, 16, 1, "MONOCHROME2", attributes), pixels);
        // black up to c - 0.5 - (w-1)/2 = -50.5, white above 149.5: 0 is ((0 - 49.5)/200 + 0.5) * 255 = 64.4
        assertThat(levels(windowed)).containsExactly(0, 64, 192, 255);

        DicomImage inverted = image(grey(2, 2, 16, 16, 1, "MONOCHROME1", attributes), pixels);
        assertThat(levels(inverted)).containsExactly(255, 191, 63, 0);
    }

    @Test
    void signedStoredBitsBelowAllocatedAreSignExtendedAndHighBitsIgnored() throws Exception {
        // 12 bits stored, signed: 0xF800 carries junk above bit 11; 0x0800 is -2048, 0x07FF is 2047
        DicomImage image = image(grey(1, 3, 16, 12, 1, "MONOCHROME2", Map.of()), shorts(0xF800, 0x07FF, 0x0001));
        assertThat(image.sample(0, 0, 0)).isEqualTo(-2048);
        assertThat(image.sample(0, 1, 0)).isEqualTo(2047);
        assertThat(image.sample(0, 2, 0)).isEqualTo(1);
    }

    // ---- files built here ---------------------------------------------------------------------------------

    static List<Integer> levels(DicomImage image) {
        BufferedImage rendered = image.render(0);
        List<Integer> levels = new ArrayList<>();
        for (int y = 0; y < rendered.getHeight(); y++) {
            for (int x = 0; x < rendered.getWidth(); x++) {
                levels.add(rendered.getRaster().getSample(x, y, 0));
            }
        }
        return levels;
    }

    static DicomImage image(Map<Integer, Object> attributes, byte[] pixels) throws DicomFormatException {
        byte[] file = Part10.file(DicomReader.EXPLICIT_LE, attributes, pixels);
        return READER.readImage(new ByteArrayInputStream(file), "built.dcm", file.length, Integer.MAX_VALUE);
    }

    /** The attributes of a grey image; {@code extra} adds or replaces. */
    static Map<Integer, Object> grey(
            int rows, int columns, int bits, int stored, int signed, String photometric, Map<Integer, Object> extra) {
        Map<Integer, Object> attributes = new TreeMap<>();
        attributes.put(0x00080018, "1.2.3.4.5");
        attributes.put(0x00080060, "CT");
        attributes.put(0x0020000D, "1.2.3");
        attributes.put(0x0020000E, "1.2.3.4");
        attributes.put(0x00280002, 1);
        attributes.put(0x00280004, photometric);
        attributes.put(0x00280010, rows);
        attributes.put(0x00280011, columns);
        attributes.put(0x00280100, bits);
        attributes.put(0x00280101, stored);
        attributes.put(0x00280102, stored - 1);
        attributes.put(0x00280103, signed);
        attributes.putAll(extra);
        return attributes;
    }

    static byte[] shorts(int... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            buffer.putShort((short) v);
        }
        return buffer.array();
    }

    /** pydicom's {@code pixel_array} of each file, flattened frame by frame, row by row, sample by sample. */
    static Map<String, JsonNode> pixelArrays(List<String> names) throws Exception {
        String script = """
                import json, sys, pydicom
                out = {}
                for name in sys.argv[2:]:
                    try:
                        a = pydicom.dcmread(sys.argv[1] + '/' + name, force=True).pixel_array
                        out[name] = {'shape': list(a.shape), 'values': [int(v) for v in a.flatten()]}
                    except Exception as e:
                        out[name] = {'error': type(e).__name__ + ': ' + str(e)}
                print(json.dumps(out))
                """;
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-c", script, FILES.toString()));
        command.addAll(names);
        Process python = new ProcessBuilder(command).start();
        byte[] json = python.getInputStream().readAllBytes();
        String errors = new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor()).as(errors).isZero();
        Map<String, JsonNode> arrays = new TreeMap<>();
        JsonMapper.builder().build().readTree(json).properties().forEach(e -> arrays.put(e.getKey(), e.getValue()));
        assertThat(arrays.keySet()).containsExactlyInAnyOrderElementsOf(names);
        return arrays;
    }

    /** Whether the file exists among pydicom's: the tests need Debian's python3-pydicom. */
    static boolean present(String name) {
        return Files.isRegularFile(FILES.resolve(name));
    }

    static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        ByteBuffer buffer = ByteBuffer.allocate(n);
        for (byte[] part : parts) {
            buffer.put(part);
        }
        return buffer.array();
    }
}
