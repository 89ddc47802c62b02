package io.warden.clinical.internal;

import io.warden.clinical.Embedder;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.Neighbours;
import io.warden.clinical.Retrieval;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchQuery;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.Vote;
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
    public Neighbours search(String collection, SearchQuery query, int k, Map<String, String> filter) {
        return collections.neighbours(collection, vector(query), k, filter);
    }

    @Override
    public Vote classify(
            String collection,
            SearchQuery query,
            int k,
            String labelKey,
            boolean weighted,
            Map<String, String> filter) {
        Neighbours neighbours = search(collection, query, k, filter);
        return new Vote(neighbours, KnnClassifier.classify(neighbours.hits(), labelKey, weighted));
    }

    private float[] vector(SearchQuery query) {
        return switch (query) {
            case SearchQuery.Vector vector -> vector.vector();
            case SearchQuery.Text text ->
                textEmbedder.embed(List.of(text.text())).getFirst();
            case SearchQuery.Image image ->
                imageModel(image.model()).embedImages(List.of(image.image())).getFirst();
        };
    }

    /** The image model, refused when there is none or when the collection was built with another one. */
    private ImageEmbedder imageModel(@Nullable String collectionModel) {
        if (imageEmbedder == null) {
            throw new RetrievalRejected("no-image-model", "No image model is configured (warden.retrieval.image.*)");
        }
        if (collectionModel != null && !collectionModel.equals(imageEmbedder.modelName())) {
            // vectors of two models share no space: a search would answer confidently and meaninglessly
            throw new RetrievalRejected(
                    "wrong-image-model",
                    "The collection is embedded with " + collectionModel + "; this service's image model is "
                            + imageEmbedder.modelName());
        }
        return imageEmbedder;
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
