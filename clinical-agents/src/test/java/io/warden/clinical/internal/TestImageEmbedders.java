package io.warden.clinical.internal;

import io.warden.clinical.ImageEmbedder;

/**
 * Test data for other packages: the real ONNX image embedder on the model {@link OnnxImageEmbedderTests} builds byte
 * by byte (per-channel average of the normalised pixels), so that a test outside this package can embed images
 * without downloading weights. Close it after use.
 */
public final class TestImageEmbedders {

    private TestImageEmbedders() {}

    /** 3 dimensions: the image's mean red, green and blue, normalised. */
    public static ImageEmbedder averageColour() {
        return new OnnxImageEmbedder(
                OnnxImageEmbedderTests.averagePoolModel(),
                OnnxImageEmbedderTests.SETTINGS,
                "average-colour test model");
    }

    /** Closes the ONNX session of an embedder {@link #averageColour()} made. */
    public static void close(ImageEmbedder embedder) throws Exception {
        ((OnnxImageEmbedder) embedder).close();
    }
}
