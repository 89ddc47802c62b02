package io.warden.clinical.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.EmbeddingRejected;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Threat: an image sent for embedding whose few hundred bytes declare billions of pixels, so that decoding it
 * allocates gigabytes. Its dimensions are read from its header and it is refused before decoding.
 */
class ImageDecodingTests {

    @Test
    void anImageDeclaringHugeDimensionsIsRefusedBeforeDecoding() {
        byte[] png = png(100_000, 100_000);
        assertThat(png.length).isLessThan(1024);
        assertThatThrownBy(() -> ImageDecoding.decode(png, 3)).isInstanceOfSatisfying(EmbeddingRejected.class, e -> {
            assertThat(e.code()).isEqualTo("image-too-large");
            assertThat(e.getMessage()).contains("Image 3").contains("100000 x 100000");
        });
        // one side too long, though the pixel count would pass
        assertThatThrownBy(() -> ImageDecoding.decode(png(ImageDecoding.MAX_SIDE + 1, 1), 0))
                .isInstanceOfSatisfying(
                        EmbeddingRejected.class, e -> assertThat(e.code()).isEqualTo("image-too-large"));
    }

    @Test
    void ordinaryImagesStillDecodeAndGarbageIsUndecodable() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB), "png", out);
        BufferedImage image = ImageDecoding.decode(out.toByteArray(), 0);
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(480);
        assertThatThrownBy(() -> ImageDecoding.decode(new byte[] {1, 2, 3}, 1))
                .isInstanceOfSatisfying(
                        EmbeddingRejected.class, e -> assertThat(e.code()).isEqualTo("image-undecodable"));
        assertThatThrownBy(() -> ImageDecoding.decode(new byte[0], 1))
                .isInstanceOfSatisfying(
                        EmbeddingRejected.class, e -> assertThat(e.code()).isEqualTo("image-undecodable"));
    }

    /** A PNG of the given size whose data is one short compressed row: what matters is the header's claim. */
    static byte[] png(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer header = ByteBuffer.allocate(13)
                .putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        chunk(out, "IHDR", header.array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[64]);
        deflater.finish();
        byte[] data = new byte[256];
        int n = deflater.deflate(data);
        deflater.end();
        chunk(out, "IDAT", Arrays.copyOf(data, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
