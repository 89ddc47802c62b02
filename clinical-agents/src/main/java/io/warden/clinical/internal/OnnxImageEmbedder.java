package io.warden.clinical.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.ModelUnavailable;
import io.warden.clinical.Vectors;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An image encoder on ONNX Runtime (a CLIP or MedImageInsight image tower exported to ONNX): images are
 * decoded, resized to the model's input size (bilinear), scaled to 0..1, normalised per channel with the
 * configured mean and standard deviation, laid out as {@code [batch, 3, height, width]} RGB, and run;
 * the output ({@code [batch, dimension]}, or {@code [batch, tokens, dimension]} mean-pooled) is
 * L2-normalised. Thread-safe.
 */
final class OnnxImageEmbedder implements ImageEmbedder, AutoCloseable {

    /**
     * The model's preprocessing and names.
     *
     * @param width  input width in pixels
     * @param height input height in pixels
     * @param mean   per-channel (R, G, B) mean subtracted after scaling to 0..1
     * @param std    per-channel standard deviation divided by
     */
    public record Settings(
            String modelName,
            String inputName,
            String outputName,
            int width,
            int height,
            float[] mean,
            float[] std,
            int batchSize) {

        public Settings {
            if (mean.length != 3 || std.length != 3 || width < 1 || height < 1 || batchSize < 1) {
                throw new IllegalArgumentException(
                        "image settings need 3 means, 3 deviations, a size and a batch size");
            }
        }
    }

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final Settings settings;
    private final int dimension;

    public OnnxImageEmbedder(byte[] model, Settings settings, String source) {
        this.settings = settings;
        try {
            this.session = environment.createSession(model, new OrtSession.SessionOptions());
        } catch (OrtException e) {
            throw new ModelUnavailable(
                    "The image model " + source + " could not be loaded by ONNX Runtime: " + e.getMessage(), e);
        }
        try {
            if (!session.getInputNames().contains(settings.inputName())) {
                throw new ModelUnavailable("The image model " + source + " has no input '" + settings.inputName()
                        + "'; its inputs are " + session.getInputNames());
            }
            var output = session.getOutputInfo().get(settings.outputName());
            if (output == null) {
                throw new ModelUnavailable("The image model " + source + " has no output '" + settings.outputName()
                        + "'; its outputs are " + session.getOutputNames());
            }
            long[] shape = ((TensorInfo) output.getInfo()).getShape();
            this.dimension = (int) shape[shape.length - 1];
            if (dimension <= 0 || shape.length < 2 || shape.length > 3) {
                throw new ModelUnavailable("The image model " + source + " output must be [batch, dimension] or "
                        + "[batch, tokens, dimension] with a fixed dimension");
            }
        } catch (OrtException e) {
            throw new ModelUnavailable("The image model " + source + " cannot be inspected: " + e.getMessage(), e);
        }
    }

    @Override
    public String modelName() {
        return settings.modelName();
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public List<float[]> embedImages(List<byte[]> images) {
        EmbeddingRejected.requireBatchAtMost(images.size(), ImageEmbedder.MAX_IMAGES, "images");
        List<BufferedImage> decoded = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            decoded.add(ImageDecoding.decode(images.get(i), i));
        }
        List<float[]> vectors = new ArrayList<>(images.size());
        for (int start = 0; start < decoded.size(); start += settings.batchSize()) {
            vectors.addAll(run(decoded.subList(start, Math.min(decoded.size(), start + settings.batchSize()))));
        }
        return vectors;
    }

    private List<float[]> run(List<BufferedImage> images) {
        int w = settings.width();
        int h = settings.height();
        FloatBuffer pixels = FloatBuffer.allocate(images.size() * 3 * h * w);
        for (BufferedImage source : images) {
            BufferedImage resized = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D graphics = resized.createGraphics();
            graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            graphics.drawImage(source, 0, 0, w, h, null);
            graphics.dispose();
            for (int channel = 0; channel < 3; channel++) {
                int shift = 16 - 8 * channel;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        float value = ((resized.getRGB(x, y) >> shift) & 0xFF) / 255f;
                        pixels.put((value - settings.mean()[channel]) / settings.std()[channel]);
                    }
                }
            }
        }
        pixels.flip();
        try (OnnxTensor input = OnnxTensor.createTensor(environment, pixels, new long[] {images.size(), 3, h, w});
                OrtSession.Result result =
                        session.run(Map.of(settings.inputName(), input), Set.of(settings.outputName()))) {
            OnnxTensor output = (OnnxTensor) result.get(0);
            long[] shape = output.getInfo().getShape();
            FloatBuffer values = output.getFloatBuffer();
            int tokens = shape.length == 3 ? (int) shape[1] : 1;
            List<float[]> vectors = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                float[] vector = new float[dimension];
                for (int t = 0; t < tokens; t++) {
                    for (int d = 0; d < dimension; d++) {
                        vector[d] += values.get((i * tokens + t) * dimension + d) / tokens;
                    }
                }
                vectors.add(Vectors.normalized(vector));
            }
            return vectors;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to embed a batch of " + images.size() + " images", e);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
