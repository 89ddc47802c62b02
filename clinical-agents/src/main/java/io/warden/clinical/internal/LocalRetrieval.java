package io.warden.clinical.internal;

import io.warden.clinical.Classification;
import io.warden.clinical.Embedder;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.Retrieval;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorCollections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The in-process retrieval service: the text embedder and the collections of this JVM. */
final class LocalRetrieval implements Retrieval {

    private final Embedder textEmbedder;
    private final @Nullable ImageEmbedder imageEmbedder;
    private final VectorCollections collections;
    private final String executionProvider;

    public LocalRetrieval(
            Embedder textEmbedder,
            @Nullable ImageEmbedder imageEmbedder,
            VectorCollections collections,
            String executionProvider) {
        this.textEmbedder = textEmbedder;
        this.imageEmbedder = imageEmbedder;
        this.collections = collections;
        this.executionProvider = executionProvider;
    }

    @Override
    public Optional<ImageEmbedder> localImageEmbedder() {
        return Optional.ofNullable(imageEmbedder);
    }

    @Override
    public List<SearchHit> searchByImage(String collection, byte[] image, int k, Map<String, String> filter) {
        if (imageEmbedder == null) {
            throw new RetrievalRejected("no-image-model", "No image model is configured (warden.retrieval.image.*)");
        }
        return collections.search(
                collection, imageEmbedder.embedImages(List.of(image)).getFirst(), k, filter);
    }

    @Override
    public List<SearchHit> searchByVector(String collection, float[] vector, int k, Map<String, String> filter) {
        return collections.search(collection, vector, k, filter);
    }

    @Override
    public List<SearchHit> searchByText(String collection, String text, int k, Map<String, String> filter) {
        return collections.search(collection, textEmbedder.embed(List.of(text)).getFirst(), k, filter);
    }

    @Override
    public Classification classifyText(
            String collection, String text, int k, String labelKey, boolean weighted, Map<String, String> filter) {
        return KnnClassifier.classify(searchByText(collection, text, k, filter), labelKey, weighted);
    }

    @Override
    public Status status() {
        return new Status(
                textEmbedder.modelName(),
                textEmbedder.dimension(),
                executionProvider,
                imageEmbedder == null ? null : imageEmbedder.modelName(),
                collections.all().stream()
                        .map(index -> new CollectionStatus(
                                index.name(), index.version(), index.kind(), index.dimension(), index.size()))
                        .toList());
    }
}
