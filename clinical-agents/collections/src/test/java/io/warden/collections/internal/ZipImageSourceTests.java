package io.warden.collections.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.ingest.IngestItem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipImageSourceTests {

    /** Images up to 1 MiB, two per model call, ratio 100. */
    static final CollectionsProperties.Images LIMITS =
            new CollectionsProperties.Images(2, 1024 * 1024, 100, 100, 64 * 1024, 16);

    /** An image model fake: a "PNG" embeds as its length and its last byte, so each image has its own vector. */
    static final ImageEmbedder MODEL = new ImageEmbedder() {
        @Override
        public String modelName() {
            return "fake";
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public List<float[]> embedImages(List<byte[]> images) {
            return images.stream()
                    .map(image -> new float[] {image.length, image[image.length - 1]})
                    .toList();
        }
    };

    @TempDir
    Path folder;

    static byte[] png(int tag) {
        return new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, (byte) tag};
    }

    Path zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            for (var entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
        Path file = Files.createTempFile(folder, "upload", ".zip");
        Files.write(file, bytes.toByteArray());
        return file;
    }

    static List<IngestItem> read(ZipImageSource source, long from) throws IOException {
        List<IngestItem> items = new ArrayList<>();
        source.read(from, items::add);
        return items;
    }

    static String describe(IngestItem item) {
        return switch (item) {
            case IngestItem.Accepted a ->
                a.position() + " " + a.record().id() + " " + a.record().vector()[1] + " "
                        + new TreeMap<>(a.record().metadata());
            case IngestItem.Rejected r -> r.position() + " " + r.reference() + " " + r.code();
        };
    }

    @Test
    void entriesAreItemsInNameOrderLabelledByTheirFolderAndALaterReadResumesAtTheSamePositions() throws Exception {
        Path file = zip(Map.of(
                "b/two.png", png(2),
                "a/one.png", png(1),
                "c/four.png", png(4),
                "readme.txt", "text".getBytes(StandardCharsets.UTF_8),
                "a/three.png", png(3),
                "labels.ndjson",
                        "{\"file\":\"a/one.png\",\"metadata\":{\"kind\":\"first\",\"wound\":\"override\"}}\n"
                                .getBytes(StandardCharsets.UTF_8)));
        ZipImageSource source = ZipImageSource.open(file, "wound", MODEL, LIMITS);

        List<IngestItem> all = read(source, 0);

        assertThat(source.size()).isEqualTo(5);
        assertThat(all)
                .extracting(ZipImageSourceTests::describe)
                .containsExactly(
                        "0 a/one.png 1.0 {file=a/one.png, kind=first, wound=override}",
                        "1 a/three.png 3.0 {file=a/three.png, wound=a}",
                        "2 b/two.png 2.0 {file=b/two.png, wound=b}",
                        "3 c/four.png 4.0 {file=c/four.png, wound=c}",
                        "4 readme.txt not-an-image");
        // a build stopped after committing position 2 reads the rest from 3, finding the same items there
        assertThat(read(ZipImageSource.open(file, "wound", MODEL, LIMITS), 3))
                .extracting(ZipImageSourceTests::describe)
                .containsExactlyElementsOf(all.subList(3, 5).stream()
                        .map(ZipImageSourceTests::describe)
                        .toList());
    }

    @Test
    void hostileEntriesAreRefusedOneByOneWithoutBeingInflated() throws Exception {
        // incompressible, so that the archive's size covers what its entries declare
        byte[] big = new byte[1024 * 1024 + 1];
        new Random(19).nextBytes(big);
        Path file = zip(Map.of(
                "../up.png", png(1),
                "/abs.png", png(2),
                "c:drive.png", png(3),
                "back\\slash.png", png(4),
                "big.png", big,
                "ratio.png", new byte[200 * 1024],
                "fine.png", png(5)));

        List<IngestItem> items = read(ZipImageSource.open(file, "label", MODEL, LIMITS), 0);

        assertThat(items)
                .extracting(ZipImageSourceTests::describe)
                .containsExactly(
                        "0 ../up.png unsafe-name",
                        "1 /abs.png unsafe-name",
                        "2 back\\slash.png unsafe-name",
                        "3 big.png image-too-large",
                        "4 c:drive.png unsafe-name",
                        "5 fine.png 5.0 {file=fine.png}",
                        "6 ratio.png zip-ratio");
    }

    @Test
    void aZipThatIsNotOneOrDeclaresTooMuchOrHasBadLabelsIsUnusableWhole() throws Exception {
        Path text = Files.writeString(folder.resolve("text"), "hello");
        assertThatThrownBy(() -> ZipImageSource.open(text, "label", MODEL, LIMITS))
                .isInstanceOf(LabelLines.Unusable.class)
                .hasMessageContaining("not a readable ZIP");

        CollectionsProperties.Images tight = new CollectionsProperties.Images(2, 64 * 1024 * 1024, 2, 100, 1024, 16);
        Path many = zip(Map.of("a.png", png(1), "b.png", png(2), "c.png", png(3)));
        assertThatThrownBy(() -> ZipImageSource.open(many, "label", MODEL, tight))
                .hasMessageContaining("3 entries");

        CollectionsProperties.Images wide = new CollectionsProperties.Images(2, 64 * 1024 * 1024, 10, 100, 1024, 16);
        Path bomb = zip(Map.of("a.png", new byte[8 * 1024 * 1024]));
        assertThatThrownBy(() -> ZipImageSource.open(bomb, "label", MODEL, wide))
                .hasMessageContaining("more than 100 times its size");

        Path missing = zip(Map.of(
                "a.png",
                png(1),
                "labels.ndjson",
                "{\"file\":\"b.png\",\"metadata\":{}}".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> ZipImageSource.open(missing, "label", MODEL, LIMITS))
                .hasMessageContaining("names b.png");
        Path nested = zip(Map.of(
                "a.png",
                png(1),
                "labels.ndjson",
                "\n{\"file\":\"a.png\",\"metadata\":{\"x\":{\"y\":1}}}".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> ZipImageSource.open(nested, "label", MODEL, LIMITS))
                .hasMessageContaining("labels.ndjson line 2");
    }

    @Test
    void safeNamesArePlainRelativePaths() {
        assertThat(ZipImageSource.safe("ulcer/w-1.png")).isTrue();
        assertThat(ZipImageSource.safe("a/../../b.png")).isFalse();
        assertThat(ZipImageSource.safe("./a.png")).isFalse();
        assertThat(ZipImageSource.safe("a//b.png")).isFalse();
        assertThat(ZipImageSource.safe("a\0.png")).isFalse();
        assertThat(ZipImageSource.safe("")).isFalse();
    }
}
