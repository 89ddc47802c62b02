package io.warden.clinical.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.internal.TestImageEmbedders;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image source on the real ONNX image embedder (average colour, built in the test): name order, labels from
 * sub-folders, a refusal per bad file with its code, batches that survive one undecodable image, and resuming.
 */
class ImageFileSourceTests {

    static final float THIRD = (float) (1 / Math.sqrt(3));
    static final ImageLimits LIMITS = new ImageLimits(2, 10_000, 100);

    ImageEmbedder embedder;

    @BeforeEach
    void embedder() {
        embedder = TestImageEmbedders.averageColour();
    }

    @AfterEach
    void close() throws Exception {
        TestImageEmbedders.close(embedder);
    }

    @Test
    void aFolderYieldsItsImagesInNameOrderLabelledBySubFolderAndRefusesEachBadFileWithItsCode(@TempDir Path folder)
            throws Exception {
        write(folder.resolve("wound/b.png"), png(Color.RED, 12));
        write(folder.resolve("wound/a.jpg"), jpeg(Color.BLUE, 16));
        write(folder.resolve("burn/c.png"), png(Color.WHITE, 9));
        write(folder.resolve("burn/notes.txt"), "not a picture".getBytes(StandardCharsets.UTF_8));
        write(folder.resolve("burn/broken.png"), Arrays.copyOf(png(Color.RED, 40), 30)); // a PNG signature, cut
        write(folder.resolve("huge.png"), png(Color.GREEN, 1)); // replaced below by one over the cap
        Files.write(folder.resolve("huge.png"), Arrays.copyOf(png(Color.GREEN, 1), 10_001));
        Files.createSymbolicLink(folder.resolve("burn/link.png"), folder.resolve("wound/b.png"));

        ImageFileSource source = ImageFileSource.folder(
                folder, Map.of("wound/a.jpg", Map.of("label", "ulcer", "site", "heel")), embedder, LIMITS);
        assertThat(source.kind()).isEqualTo("images-folder");
        assertThat(source.size()).isEqualTo(7);
        List<IngestItem> items = readAll(source, 0);

        assertThat(items).extracting(IngestItem::position).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(items)
                .extracting(ImageFileSourceTests::reference)
                .containsExactly(
                        "burn/broken.png",
                        "burn/c.png",
                        "burn/link.png",
                        "burn/notes.txt",
                        "huge.png",
                        "wound/a.jpg",
                        "wound/b.png");
        assertThat(rejected(items.get(0)).code()).isEqualTo("image-undecodable");
        assertThat(rejected(items.get(2)).code()).isEqualTo("outside-source");
        assertThat(rejected(items.get(3)).code()).isEqualTo("not-an-image");
        assertThat(rejected(items.get(4)).code()).isEqualTo("image-too-large");
        assertThat(rejected(items.get(4)).reason()).contains("10001 bytes");

        IngestItem.Accepted white = accepted(items.get(1));
        assertThat(white.record().vector()).containsExactly(new float[] {THIRD, THIRD, THIRD}, Offset.offset(1e-5f));
        assertThat(white.record().metadata()).containsEntry("label", "burn").containsEntry("file", "burn/c.png");
        IngestItem.Accepted blue = accepted(items.get(5));
        assertThat(blue.record().id()).isEqualTo("wound/a.jpg");
        assertThat(blue.record().metadata()).containsEntry("label", "ulcer").containsEntry("site", "heel");
        assertThat(blue.record().vector()[2]).isGreaterThan(0.5f);
        IngestItem.Accepted red = accepted(items.get(6));
        assertThat(red.record().vector()).containsExactly(new float[] {THIRD, -THIRD, -THIRD}, Offset.offset(1e-5f));
        assertThat(red.record().metadata()).containsEntry("label", "wound");
    }

    @Test
    void readingFromAPositionGivesTheSameItemsAsBeforeAndAStoppingSinkEndsTheRead(@TempDir Path folder)
            throws Exception {
        List<ImageFileSource.Upload> uploads = new ArrayList<>();
        Color[] colours = {Color.RED, Color.GREEN, Color.BLUE, Color.WHITE, Color.BLACK};
        for (int i = 0; i < colours.length; i++) {
            uploads.add(new ImageFileSource.Upload("img-" + (4 - i), png(colours[i], 8), Map.of("label", "c" + i)));
        }
        uploads.add(new ImageFileSource.Upload("img-9", "text".getBytes(StandardCharsets.UTF_8), Map.of()));
        ImageFileSource source = ImageFileSource.uploads(uploads, embedder, LIMITS);
        List<IngestItem> all = readAll(source, 0);
        assertThat(all).hasSize(6);
        assertThat(all).extracting(ImageFileSourceTests::reference).startsWith("img-0", "img-1");

        List<IngestItem> resumed = readAll(source, 3);
        assertThat(resumed).extracting(IngestItem::position).containsExactly(3L, 4L, 5L);
        for (int i = 0; i < resumed.size(); i++) {
            assertThat(describe(resumed.get(i))).isEqualTo(describe(all.get(3 + i)));
        }

        List<IngestItem> stopped = new ArrayList<>();
        source.read(1, item -> {
            stopped.add(item);
            return stopped.size() < 2;
        });
        assertThat(stopped).extracting(IngestItem::position).containsExactly(1L, 2L);
        assertThat(readAll(source, 6)).isEmpty();
    }

    @Test
    void twoUploadsOfOneNameAreRefused() throws Exception {
        byte[] image = png(Color.RED, 4);
        assertThatThrownBy(() -> ImageFileSource.uploads(
                        List.of(
                                new ImageFileSource.Upload("x", image, Map.of()),
                                new ImageFileSource.Upload("x", image, Map.of())),
                        embedder,
                        LIMITS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    static List<IngestItem> readAll(IngestSource source, long from) throws Exception {
        List<IngestItem> items = new ArrayList<>();
        source.read(from, items::add);
        return items;
    }

    static String reference(IngestItem item) {
        return switch (item) {
            case IngestItem.Accepted a -> a.record().id();
            case IngestItem.Rejected r -> r.reference();
        };
    }

    static String describe(IngestItem item) {
        return switch (item) {
            case IngestItem.Accepted a ->
                a.position() + " " + a.record().id() + " "
                        + Arrays.toString(a.record().vector()) + " "
                        + a.record().metadata();
            case IngestItem.Rejected r -> r.toString();
        };
    }

    static IngestItem.Accepted accepted(@Nullable IngestItem item) {
        assertThat(item).isInstanceOf(IngestItem.Accepted.class);
        return (IngestItem.Accepted) item;
    }

    static IngestItem.Rejected rejected(@Nullable IngestItem item) {
        assertThat(item).isInstanceOf(IngestItem.Rejected.class);
        return (IngestItem.Rejected) item;
    }

    static void write(Path file, byte[] bytes) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    static byte[] png(Color colour, int size) throws Exception {
        return encode(colour, size, "png");
    }

    static byte[] jpeg(Color colour, int size) throws Exception {
        return encode(colour, size, "jpeg");
    }

    private static byte[] encode(Color colour, int size, String format) throws Exception {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        var graphics = image.createGraphics();
        graphics.setColor(colour);
        graphics.fillRect(0, 0, size, size);
        graphics.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }
}
