package io.warden.clinical.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.ModelUnavailable;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The image embedder's preprocessing and batching, on a real ONNX model built here byte by byte: the
 * per-channel average of the normalised pixels (GlobalAveragePool then Flatten), so every expected vector
 * can be computed by hand.
 */
class OnnxImageEmbedderTests {

    static final OnnxImageEmbedder.Settings SETTINGS = new OnnxImageEmbedder.Settings(
            "average-colour",
            "pixel_values",
            "image_embeds",
            8,
            8,
            new float[] {0.5f, 0.5f, 0.5f},
            new float[] {0.5f, 0.5f, 0.5f},
            2);

    @Test
    void solidColoursEmbedAsTheirNormalisedChannels() throws Exception {
        try (OnnxImageEmbedder embedder = new OnnxImageEmbedder(averagePoolModel(), SETTINGS, "test model")) {
            assertThat(embedder.dimension()).isEqualTo(3);
            List<float[]> vectors =
                    embedder.embedImages(List.of(solid(Color.RED, 13), solid(Color.WHITE, 5), solid(Color.BLUE, 30)));
            // red: (1, 0, 0) -> normalised (1, -1, -1) -> unit (1, -1, -1)/sqrt(3)
            float third = (float) (1 / Math.sqrt(3));
            assertThat(vectors.get(0)).containsExactly(new float[] {third, -third, -third}, Offset.offset(1e-5f));
            assertThat(vectors.get(1)).containsExactly(new float[] {third, third, third}, Offset.offset(1e-5f));
            assertThat(vectors.get(2)).containsExactly(new float[] {-third, -third, third}, Offset.offset(1e-5f));
        }
    }

    @Test
    void undecodableImagesAndWrongNamesAreRefused() throws Exception {
        try (OnnxImageEmbedder embedder = new OnnxImageEmbedder(averagePoolModel(), SETTINGS, "test model")) {
            assertThatThrownBy(() -> embedder.embedImages(
                            List.of(solid(Color.RED, 4), "no image".getBytes(StandardCharsets.UTF_8))))
                    .isInstanceOfSatisfying(EmbeddingRejected.class, e -> {
                        assertThat(e.code()).isEqualTo("image-undecodable");
                        assertThat(e.getMessage()).contains("Image 1");
                    });
        }
        var wrongInput =
                new OnnxImageEmbedder.Settings("x", "images", "image_embeds", 8, 8, SETTINGS.mean(), SETTINGS.std(), 2);
        assertThatThrownBy(() -> new OnnxImageEmbedder(averagePoolModel(), wrongInput, "test model"))
                .isInstanceOf(ModelUnavailable.class)
                .hasMessageContaining("no input 'images'");
        assertThatThrownBy(() -> new OnnxImageEmbedder(new byte[] {1, 2, 3}, SETTINGS, "broken.onnx"))
                .isInstanceOf(ModelUnavailable.class)
                .hasMessageContaining("broken.onnx");
    }

    static byte[] solid(Color colour, int size) throws Exception {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        var graphics = image.createGraphics();
        graphics.setColor(colour);
        graphics.fillRect(0, 0, size, size);
        graphics.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    // ---- a minimal ONNX model, protobuf-encoded by hand (onnx.proto3 field numbers) ------------------

    static byte[] averagePoolModel() {
        byte[] pool =
                message(bytes(1, "pixel_values"), bytes(2, "pooled"), bytes(3, "pool"), bytes(4, "GlobalAveragePool"));
        byte[] flatten =
                message(bytes(1, "pooled"), bytes(2, "image_embeds"), bytes(3, "flatten"), bytes(4, "Flatten"));
        byte[] input = valueInfo("pixel_values", dimParam("batch"), dimValue(3), dimValue(8), dimValue(8));
        byte[] output = valueInfo("image_embeds", dimParam("batch"), dimValue(3));
        byte[] graph = message(
                field(1, pool), field(1, flatten), bytes(2, "average-colour"), field(11, input), field(12, output));
        byte[] opset = message(bytes(1, ""), varintField(2, 13));
        return message(varintField(1, 8), field(8, opset), field(7, graph));
    }

    static byte[] valueInfo(String name, byte[]... dims) {
        byte[] shape = message(Arrays.stream(dims).map(dim -> field(1, dim)).toArray(byte[][]::new));
        byte[] tensor = message(varintField(1, 1), field(2, shape));
        return message(bytes(1, name), field(2, message(field(1, tensor))));
    }

    static byte[] dimValue(long value) {
        return message(varintField(1, value));
    }

    static byte[] dimParam(String name) {
        return message(bytes(2, name));
    }

    static byte[] message(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : fields) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    static byte[] bytes(int number, String text) {
        return field(number, text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] field(int number, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) number << 3 | 2);
        varint(out, payload.length);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static byte[] varintField(int number, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) number << 3);
        varint(out, value);
        return out.toByteArray();
    }

    static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
