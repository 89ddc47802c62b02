package io.warden.clinical.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.ModelUnavailable;
import io.warden.clinical.Retrieval;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the in-process retrieval service: the configured text model (loaded at start-up; a missing or
 * corrupt file stops start-up naming it) and the collections folder.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RetrievalProperties.class)
class RetrievalConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "warden.retrieval.mode", havingValue = "local", matchIfMissing = true)
    OnnxTextEmbedder textEmbedder(RetrievalProperties properties) {
        int threads = properties.threads() > 0
                ? properties.threads()
                : Runtime.getRuntime().availableProcessors();
        var settings = new OnnxTextEmbedder.Settings(
                properties.textModel().equals("file")
                        ? String.valueOf(modelFile(properties).getFileName())
                        : "all-MiniLM-L6-v2" + (properties.textModel().equals("minilm-q") ? " (int8)" : ""),
                properties.batchSize(),
                10_000,
                threads,
                properties.cuda(),
                properties.outputName(),
                properties.pooling());
        return switch (properties.textModel()) {
            case "minilm-q" -> OnnxTextEmbedder.miniLmQuantized(settings);
            case "file" -> fromFiles(properties, settings);
            default -> OnnxTextEmbedder.miniLm(settings);
        };
    }

    private static OnnxTextEmbedder fromFiles(RetrievalProperties properties, OnnxTextEmbedder.Settings settings) {
        Path modelFile = modelFile(properties);
        // RetrievalProperties refuses text-model=file without both files
        Path tokenizerFile = Objects.requireNonNull(properties.tokenizerFile(), "warden.retrieval.tokenizer-file");
        byte[] model;
        try {
            model = Files.readAllBytes(modelFile);
        } catch (IOException e) {
            throw new ModelUnavailable("The model file " + modelFile + " cannot be read: " + e.getMessage(), e);
        }
        try (InputStream tokenizer = Files.newInputStream(tokenizerFile)) {
            return OnnxTextEmbedder.create(
                    model,
                    WordPieceTokenizer.fromTokenizerJson(tokenizer, tokenizerFile.toString()),
                    settings,
                    modelFile.toString());
        } catch (IOException e) {
            throw new ModelUnavailable("The tokenizer " + tokenizerFile + " cannot be read: " + e.getMessage(), e);
        }
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "warden.retrieval.mode", havingValue = "local", matchIfMissing = true)
    FileVectorCollections vectorCollections(RetrievalProperties properties) {
        return new FileVectorCollections(
                properties.collectionsDir(),
                properties.hnswMaxConnections(),
                properties.hnswBeamWidth(),
                properties.hnswCandidates());
    }

    @Bean
    @ConditionalOnProperty(name = "warden.retrieval.mode", havingValue = "local", matchIfMissing = true)
    Retrieval retrieval(
            OnnxTextEmbedder textEmbedder,
            FileVectorCollections vectorCollections,
            RetrievalProperties properties,
            ObjectProvider<MeterRegistry> meterRegistry) {
        return new MeteredRetrieval(
                new LocalRetrieval(
                        textEmbedder,
                        imageEmbedder(properties.image()),
                        vectorCollections,
                        textEmbedder.executionProvider()),
                meterRegistry.getIfAvailable(SimpleMeterRegistry::new),
                "local");
    }

    /** The configured image model, if any: a local ONNX encoder or a remote endpoint. */
    private static @Nullable ImageEmbedder imageEmbedder(RetrievalProperties.@Nullable Image image) {
        if (image == null) {
            return null;
        }
        if (image.modelFile() != null) {
            byte[] model;
            try {
                model = Files.readAllBytes(image.modelFile());
            } catch (IOException e) {
                throw new ModelUnavailable(
                        "The image model file " + image.modelFile() + " cannot be read: " + e.getMessage(), e);
            }
            return new OnnxImageEmbedder(
                    model,
                    new OnnxImageEmbedder.Settings(
                            image.modelName(),
                            image.inputName(),
                            image.outputName(),
                            image.width(),
                            image.height(),
                            image.mean(),
                            image.std(),
                            image.batchSize()),
                    image.modelFile().toString());
        }
        if (image.endpoint() != null) {
            return new RemoteImageEmbedder(
                    image.endpoint(),
                    Objects.requireNonNullElse(image.key(), ""),
                    image.modelName(),
                    image.dimension(),
                    image.batchSize(),
                    image.timeout());
        }
        return null;
    }

    /** The gateway's side when retrieval runs on remote nodes: {@code warden.retrieval.mode=remote}. */
    @Bean
    @ConditionalOnProperty(name = "warden.retrieval.mode", havingValue = "remote")
    Retrieval remoteRetrieval(RetrievalProperties properties, ObjectProvider<MeterRegistry> meterRegistry) {
        RetrievalProperties.Remote remote = properties.remote();
        if (remote == null || remote.url() == null || remote.token() == null) {
            throw new IllegalStateException("warden.retrieval.mode=remote needs warden.retrieval.remote.url and "
                    + "warden.retrieval.remote.token");
        }
        return new MeteredRetrieval(
                new HttpRetrieval(remote.url(), remote.token(), remote.timeout()),
                meterRegistry.getIfAvailable(SimpleMeterRegistry::new),
                "remote");
    }

    /** RetrievalProperties refuses text-model=file without a model file. */
    private static Path modelFile(RetrievalProperties properties) {
        return Objects.requireNonNull(properties.modelFile(), "warden.retrieval.model-file");
    }
}
