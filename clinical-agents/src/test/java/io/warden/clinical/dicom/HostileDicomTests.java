package io.warden.clinical.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Threat: a file planted in a scanned archive (or served as one) that makes the header reader allocate what it
 * declares, inflate without end or recurse until the stack overflows, failing the scan or the process. Each
 * hostile file must be that file's skip reason, read in bounded memory; valid files read as before (the
 * pydicom corpus tests).
 */
class HostileDicomTests {

    private static final int HUGE = 0x7FFFFFF0;
    /** What one read may allocate: the caps plus the reader's buffers, far below what the files declare. */
    private static final long ALLOCATION_BOUND = 32L * 1024 * 1024;

    private final DicomReader reader = new DicomReader("s".getBytes(StandardCharsets.UTF_8));

    @Test
    void aHugeDeclaredLengthIsRefusedBeforeAnythingIsAllocated() throws Exception {
        byte[] file = part10(
                DicomReader.EXPLICIT_LE,
                cat(
                        element(0x00080060, "CS", "CT".getBytes(StandardCharsets.US_ASCII)),
                        longHeader(0x00100010, "UN", HUGE),
                        new byte[64]));
        assertRefusedWithin(file, true, "truncated");
        assertRefusedWithin(file, false, "more than the " + DicomReader.MAX_VALUE);
        // implicit VR, no file meta: the same lie, four bytes of length after the tag
        byte[] implicit = cat(
                implicitHeader(0x00080060, 2),
                "CT".getBytes(StandardCharsets.US_ASCII),
                implicitHeader(0x00100020, HUGE));
        assertRefusedWithin(implicit, true, "truncated");
        assertRefusedWithin(implicit, false, "more than the " + DicomReader.MAX_VALUE);
    }

    @Test
    void aDeflatedWantedElementOfTwoGigabytesIsRefused() throws Exception {
        // a few KB on disk; the old reader allocated the declared 2 GB as it inflated
        byte[] file = part10(
                DicomReader.DEFLATED_LE, deflate(cat(longHeader(0x00100010, "UN", HUGE), new byte[4 * 1024 * 1024])));
        assertThat(file.length).isLessThan(64 * 1024);
        assertRefusedWithin(file, true, "inflates to more than " + DicomReader.MAX_INFLATED);
        // within the inflation cap, a wanted value is still held to the per-value cap
        byte[] large = part10(
                DicomReader.DEFLATED_LE,
                deflate(cat(longHeader(0x00100010, "UN", 32 * 1024 * 1024), new byte[1 << 20])));
        assertRefusedWithin(large, true, "more than the " + DicomReader.MAX_VALUE);
    }

    @Test
    void aDeflateBombIsRefusedAtTheInflationCap() throws Exception {
        byte[] file = bomb(2048); // 2 GiB of skipped private elements once inflated
        assertThat(file.length).isLessThan(4 * 1024 * 1024);
        long started = System.nanoTime();
        assertRefusedWithin(file, true, "inflates to more than " + DicomReader.MAX_INFLATED);
        assertThat((System.nanoTime() - started) / 1_000_000)
                .as("milliseconds to refuse")
                .isLessThan(10_000);
    }

    @Test
    void deeplyNestedSequencesAreRefusedNotOverflowed() throws Exception {
        assertRefusedWithin(
                part10(DicomReader.EXPLICIT_LE, nested(30_000, true)),
                true,
                "nested more than " + DicomReader.MAX_DEPTH);
        assertRefusedWithin(nested(30_000, false), true, "nested more than " + DicomReader.MAX_DEPTH);
        // a nesting as deep as the cap still reads
        byte[] fine = part10(
                DicomReader.EXPLICIT_LE,
                cat(
                        element(0x00080060, "CS", "MR".getBytes(StandardCharsets.US_ASCII)),
                        closed(DicomReader.MAX_DEPTH)));
        assertThat(reader.read(new ByteArrayInputStream(fine), "fine", fine.length)
                        .modality())
                .isEqualTo("MR");
    }

    @Test
    void truncationsAndRandomMutationsOfThePydicomFilesReadOrAreRefusedInBoundedMemory() throws Exception {
        List<byte[]> corpus = corpus();
        Random random = new Random(16);
        int read = 0;
        int refused = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        for (int i = 0; i < 4000 && System.nanoTime() < deadline; i++) {
            byte[] original = corpus.get(random.nextInt(corpus.size()));
            byte[] mutated =
                    i % 5 == 0 ? Arrays.copyOf(original, random.nextInt(original.length)) : mutate(original, random);
            for (boolean sizeKnown : new boolean[] {true, false}) {
                if (outcome(mutated, sizeKnown, "mutation " + i) == null) {
                    read++;
                } else {
                    refused++;
                }
            }
        }
        assertThat(read + refused).isGreaterThan(1000);
        assertThat(refused).as("mutations that hit the header are refused").isGreaterThan(100);
    }

    @Test
    void aScanOfAFolderOfHostileFilesCompletesListingThemAsSkipped(@TempDir Path folder) throws Exception {
        Map<String, byte[]> hostile = new LinkedHashMap<>();
        hostile.put("huge.dcm", part10(DicomReader.EXPLICIT_LE, cat(longHeader(0x00100010, "UN", HUGE), new byte[16])));
        hostile.put(
                "deflated-huge.dcm",
                part10(DicomReader.DEFLATED_LE, deflate(cat(longHeader(0x00100010, "UN", HUGE), new byte[1 << 20]))));
        hostile.put("bomb.dcm", bomb(256));
        hostile.put("nested.dcm", part10(DicomReader.EXPLICIT_LE, nested(30_000, true)));
        hostile.put("nested-implicit.dcm", nested(30_000, false));
        hostile.put(
                "truncated.dcm",
                Arrays.copyOf(Files.readAllBytes(DicomReaderTests.FILES.resolve("CT_small.dcm")), 700));
        for (Map.Entry<String, byte[]> file : hostile.entrySet()) {
            Files.write(folder.resolve(file.getKey()), file.getValue());
        }
        Random random = new Random(61);
        List<byte[]> corpus = corpus();
        for (int i = 0; i < 200; i++) {
            Files.write(
                    folder.resolve("mutated-" + i + ".dcm"), mutate(corpus.get(random.nextInt(corpus.size())), random));
        }
        Files.copy(DicomReaderTests.FILES.resolve("CT_small.dcm"), folder.resolve("valid.dcm"));

        var report = new DicomFolderScan(reader, 2).scan(folder);
        assertThat(report.instances().size() + report.skipped().size()).isEqualTo(hostile.size() + 200 + 1);
        assertThat(report.skipped())
                .extracting(skipped -> Path.of(skipped.location()).getFileName().toString())
                .containsAll(hostile.keySet());
        assertThat(report.skipped())
                .allSatisfy(skipped -> assertThat(skipped.reason()).isNotBlank());
        assertThat(report.instances())
                .extracting(
                        instance -> Path.of(instance.location()).getFileName().toString())
                .contains("valid.dcm");
    }

    @Test
    void theOldFailuresAreNowSkipReasonsNotErrors() {
        // the reader's only failure is DicomFormatException, which names the file
        byte[] nested = nested(30_000, false);
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(nested), "nested"))
                .isInstanceOf(DicomFormatException.class)
                .hasMessageStartingWith("nested at byte ");
    }

    /** Reads the bytes; null when a header came back, else the refusal's message. Fails on anything else, or on an allocation beyond the bound. */
    private @Nullable String outcome(byte[] file, boolean sizeKnown, String name) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        @Nullable String message;
        try {
            reader.read(new ByteArrayInputStream(file), name, sizeKnown ? file.length : -1);
            message = null;
        } catch (DicomFormatException e) {
            message = e.getMessage();
        } catch (Throwable e) {
            throw new AssertionError(name + " (size " + (sizeKnown ? "known" : "unknown") + ") failed with " + e, e);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated reading " + name).isLessThan(ALLOCATION_BOUND);
        return message;
    }

    private void assertRefusedWithin(byte[] file, boolean sizeKnown, String reason) {
        assertThat(outcome(file, sizeKnown, "hostile.dcm"))
                .isNotNull()
                .contains("hostile.dcm")
                .contains(reason);
    }

    private static List<byte[]> corpus() throws Exception {
        List<byte[]> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(DicomReaderTests.FILES)) {
            for (Path path :
                    list.filter(p -> p.toString().endsWith(".dcm")).sorted().toList()) {
                files.add(Files.readAllBytes(path));
            }
        }
        assertThat(files).hasSizeGreaterThan(20);
        return files;
    }

    /** A few changes in the first KB or two (where the header is): random bytes, or a length made huge. */
    private static byte[] mutate(byte[] original, Random random) {
        byte[] bytes = original.clone();
        int window = Math.min(bytes.length, 2048);
        int changes = 1 + random.nextInt(6);
        for (int c = 0; c < changes && window > 4; c++) {
            int at = random.nextInt(window - 4);
            switch (random.nextInt(4)) {
                case 0 ->
                    ByteBuffer.wrap(bytes, at, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(HUGE);
                case 1 ->
                    ByteBuffer.wrap(bytes, at, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1); // undefined length
                case 2 -> bytes[at] = (byte) random.nextInt(256);
                default -> bytes[at] ^= (byte) (1 << random.nextInt(8));
            }
        }
        return bytes;
    }

    /** Raw-deflated private OB elements of 1 MiB of zeros, {@code megabytes} of them: each compresses to about 1 KB. */
    private static byte[] bomb(int megabytes) {
        byte[] chunk = flushed(cat(longHeader(0x00091010, "OB", 1 << 20), new byte[1 << 20]), false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < megabytes; i++) {
            out.writeBytes(chunk); // sync-flushed blocks of independent deflaters concatenate into one stream
        }
        out.writeBytes(flushed(new byte[0], true));
        return part10(DicomReader.DEFLATED_LE, out.toByteArray());
    }

    private static byte[] flushed(byte[] data, boolean last) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(data);
        if (last) {
            deflater.finish();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        while (true) {
            int n = last ? deflater.deflate(buffer) : deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, n);
            if (last ? deflater.finished() : n < buffer.length && deflater.needsInput()) {
                break;
            }
        }
        deflater.end();
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] data) {
        return cat(flushed(data, false), flushed(new byte[0], true));
    }

    /** Undefined-length sequences, each holding one undefined-length item holding the next: never closed. */
    private static byte[] nested(int depth, boolean explicit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < depth; i++) {
            out.writeBytes(explicit ? longHeader(0x00081140, "SQ", -1) : implicitHeader(0x00081140, -1));
            out.writeBytes(implicitHeader(0xFFFEE000, -1));
        }
        return out.toByteArray();
    }

    /** Sequences nested {@code depth} deep, each closed by its item and sequence delimiters. */
    private static byte[] closed(int depth) {
        byte[] inner = new byte[0];
        for (int i = 0; i < depth; i++) {
            inner = cat(
                    longHeader(0x00081140, "SQ", -1),
                    implicitHeader(0xFFFEE000, -1),
                    inner,
                    implicitHeader(0xFFFEE00D, 0),
                    implicitHeader(0xFFFEE0DD, 0));
        }
        return inner;
    }

    private static byte[] part10(String transferSyntax, byte[] dataSet) {
        byte[] uid = transferSyntax.getBytes(StandardCharsets.US_ASCII);
        if (uid.length % 2 == 1) {
            uid = Arrays.copyOf(uid, uid.length + 1);
        }
        byte[] preamble = new byte[132];
        preamble[128] = 'D';
        preamble[129] = 'I';
        preamble[130] = 'C';
        preamble[131] = 'M';
        return cat(preamble, element(0x00020010, "UI", uid), dataSet);
    }

    private static byte[] element(int tag, String vr, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(8 + value.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) (tag >>> 16))
                .putShort((short) tag)
                .put(vr.getBytes(StandardCharsets.US_ASCII))
                .putShort((short) value.length)
                .put(value);
        return b.array();
    }

    private static byte[] longHeader(int tag, String vr, int length) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) (tag >>> 16))
                .putShort((short) tag)
                .put(vr.getBytes(StandardCharsets.US_ASCII))
                .putShort((short) 0)
                .putInt(length);
        return b.array();
    }

    private static byte[] implicitHeader(int tag, int length) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) (tag >>> 16)).putShort((short) tag).putInt(length);
        return b.array();
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
