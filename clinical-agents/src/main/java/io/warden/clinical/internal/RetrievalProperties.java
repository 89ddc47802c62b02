package io.warden.clinical.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the retrieval service, under {@code warden.retrieval}.
 *
 * @param textModel       {@code minilm} (all-MiniLM-L6-v2), {@code minilm-q} (its int8 quantisation), or {@code file}
 * @param modelFile       the ONNX file when {@code textModel=file}
 * @param tokenizerFile   its Hugging Face {@code tokenizer.json} (WordPiece)
 * @param outputName      the model output to use (default: {@code last_hidden_state}, else the first)
 * @param pooling         {@code MEAN}, {@code CLS}, or {@code NONE} for an output that is already one vector per text
 * @param batchSize       texts per model call: 256 by default, 512 on GPUs, 128 on small CPUs
 * @param threads         ONNX Runtime intra-op threads; 0 for one per core
 * @param cuda            use the CUDA execution provider when the GPU build of ONNX Runtime is present
 * @param collectionsDir  where collections are kept
 * @param hnswMaxConnections HNSW graph degree (M)
 * @param hnswBeamWidth   HNSW candidates while building (efConstruction)
 * @param hnswCandidates  HNSW candidates while searching (ef)
 * @param mode            {@code local} (this JVM embeds and searches) or {@code remote} (a retrieval node does)
 * @param remote          the retrieval node a gateway calls in remote mode
 * @param image           the image embedding endpoint, when images are searched
 */
@ConfigurationProperties("warden.retrieval")
record RetrievalProperties(
        @DefaultValue("minilm") String textModel,
        @Nullable Path modelFile,
        @Nullable Path tokenizerFile,
        @Nullable String outputName,
        @DefaultValue("MEAN") OnnxTextEmbedder.Pooling pooling,
        @DefaultValue("256") int batchSize,
        @DefaultValue("0") int threads,
        @DefaultValue("false") boolean cuda,
        @DefaultValue("./.warden/collections") Path collectionsDir,
        @DefaultValue("16") int hnswMaxConnections,
        @DefaultValue("100") int hnswBeamWidth,
        @DefaultValue("100") int hnswCandidates,
        @DefaultValue("local") String mode,
        @Nullable Remote remote,
        @Nullable Image image) {

    /**
     * The image model: a MedImageInsight-style endpoint ({@code endpoint}, {@code key}) or an ONNX image
     * encoder ({@code modelFile} with its input and output names and preprocessing).
     *
     * @param endpoint  the scoring URL of a remote model
     * @param key       its bearer key
     * @param dimension the remote model's embedding dimension (1024 for MedImageInsight)
     * @param modelFile an ONNX image encoder, run locally
     * @param mean      per-channel RGB mean after scaling to 0..1 (CLIP: 0.4815, 0.4578, 0.4082)
     * @param std       per-channel RGB standard deviation (CLIP: 0.2686, 0.2613, 0.2758)
     */
    public record Image(
            @Nullable URI endpoint,
            @Nullable String key,
            @DefaultValue("MedImageInsight") String modelName,
            @DefaultValue("1024") int dimension,
            @DefaultValue("16") int batchSize,
            @DefaultValue("PT30S") Duration timeout,
            @Nullable Path modelFile,
            @DefaultValue("pixel_values") String inputName,
            @DefaultValue("image_embeds") String outputName,
            @DefaultValue("224") int width,
            @DefaultValue("224") int height,
            @DefaultValue({"0.4815", "0.4578", "0.4082"}) float[] mean,
            @DefaultValue({"0.2686", "0.2613", "0.2758"}) float[] std) {}

    /**
     * A remote retrieval node.
     *
     * @param url     its base URL, e.g. {@code https://retrieval-gpu-0.internal:8443}
     * @param token   the shared bearer token its {@code warden.retrieval.node.token} is set to
     * @param timeout the deadline of every call
     */
    public record Remote(
            @Nullable URI url,
            @Nullable String token,
            @DefaultValue("PT2S") Duration timeout) {}

    public RetrievalProperties {
        if (!textModel.equals("minilm") && !textModel.equals("minilm-q") && !textModel.equals("file")) {
            throw new IllegalArgumentException(
                    "warden.retrieval.text-model is minilm, minilm-q or file; got " + textModel);
        }
        if (textModel.equals("file") && (modelFile == null || tokenizerFile == null)) {
            throw new IllegalArgumentException("warden.retrieval.text-model=file needs warden.retrieval.model-file "
                    + "and warden.retrieval.tokenizer-file");
        }
        if (!mode.equals("local") && !mode.equals("remote")) {
            throw new IllegalArgumentException("warden.retrieval.mode is local or remote; got " + mode);
        }
        if (batchSize < 1 || batchSize > 4096) {
            throw new IllegalArgumentException(
                    "warden.retrieval.batch-size must be between 1 and 4096, got " + batchSize);
        }
    }
}
