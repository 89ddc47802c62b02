package io.warden.clinical.internal;

import io.warden.clinical.EmbeddingRejected;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes an image sent for embedding, after reading its dimensions from its header: a few hundred bytes can
 * declare a picture of billions of pixels, which decoding would allocate. Larger than {@link #MAX_SIDE} on a
 * side or {@link #MAX_PIXELS} in all is refused before any pixel is decoded.
 */
final class ImageDecoding {

    /** Well above any image model's input (224 to 1024 pixels) and a radiograph's 4,000 or so. */
    static final int MAX_SIDE = 16_384;
    /** 64 megapixels: about 256 MB decoded as ARGB, once per image of a batch. */
    static final long MAX_PIXELS = 64L * 1024 * 1024;

    private ImageDecoding() {}

    /** The decoded image, or {@link EmbeddingRejected} ({@code image-undecodable} or {@code image-too-large}). */
    static BufferedImage decode(byte[] bytes, int index) {
        if (bytes.length > 0) {
            try (ImageInputStream stream = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
                Iterator<ImageReader> readers = stream == null ? null : ImageIO.getImageReaders(stream);
                if (readers != null && readers.hasNext()) {
                    ImageReader reader = readers.next();
                    try {
                        reader.setInput(stream, true, true);
                        long width = reader.getWidth(0);
                        long height = reader.getHeight(0);
                        if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
                            throw new EmbeddingRejected(
                                    "image-too-large",
                                    "Image " + index + " is " + width + " x " + height + " pixels; at most " + MAX_SIDE
                                            + " on a side and " + MAX_PIXELS + " in all are decoded");
                        }
                        BufferedImage image = reader.read(0, reader.getDefaultReadParam());
                        if (image != null) {
                            return image;
                        }
                    } finally {
                        reader.dispose();
                    }
                }
            } catch (EmbeddingRejected e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                // falls through to the refusal below
            }
        }
        throw new EmbeddingRejected(
                "image-undecodable", "Image " + index + " is not a PNG, JPEG, GIF or BMP that decodes");
    }
}
