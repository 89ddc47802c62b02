package io.warden.clinical;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The retrieval service as the policy gateway calls it (agents never do): search a collection by vector
 * or by text, and classify by a k-NN vote. Served in-process by default; the same operations run on
 * remote retrieval nodes in production. Thread-safe.
 */
public interface Retrieval {

    /**
     * The {@code k} nearest records of {@code collection} to the query whose metadata has every entry of
     * {@code filter}, best first, with the version of the collection they came from.
     *
     * @throws RetrievalRejected ({@code unknown-collection}, {@code wrong-dimension}, {@code empty-text},
     *                           {@code no-image-model}, {@code wrong-image-model}, ...) for a query it cannot answer
     */
    Neighbours search(String collection, SearchQuery query, int k, Map<String, String> filter);

    /**
     * A k-NN vote over the labels ({@code labelKey}) of the nearest records to the query.
     *
     * @param weighted weigh each vote by the neighbour's similarity instead of counting it once
     * @throws RetrievalRejected as {@link #search}, and {@code empty-collection} when no neighbour has a label
     */
    Vote classify(
            String collection, SearchQuery query, int k, String labelKey, boolean weighted, Map<String, String> filter);

    /** The {@code k} nearest records of {@code collection} to {@code vector}, filtered by metadata. */
    default List<SearchHit> searchByVector(String collection, float[] vector, int k, Map<String, String> filter) {
        return search(collection, new SearchQuery.Vector(vector), k, filter).hits();
    }

    /** As {@link #searchByVector}, with the text embedded by the collection's text model first. */
    default List<SearchHit> searchByText(String collection, String text, int k, Map<String, String> filter) {
        return search(collection, new SearchQuery.Text(text), k, filter).hits();
    }

    /**
     * As {@link #searchByVector}, with the image (PNG, JPEG) embedded by the configured image model first.
     *
     * @throws RetrievalRejected ({@code no-image-model}) when none is configured
     */
    default List<SearchHit> searchByImage(String collection, byte[] image, int k, Map<String, String> filter) {
        return search(collection, new SearchQuery.Image(image, null), k, filter).hits();
    }

    /** A k-NN vote over the labels ({@code labelKey}) of the nearest records to the text. */
    default Classification classifyText(
            String collection, String text, int k, String labelKey, boolean weighted, Map<String, String> filter) {
        return classify(collection, new SearchQuery.Text(text), k, labelKey, weighted, filter)
                .classification();
    }

    /**
     * The image model this service runs in this JVM, for in-process users such as the cohort builder's image
     * tier; empty when none is configured or the service runs on remote nodes.
     */
    default Optional<ImageEmbedder> localImageEmbedder() {
        return Optional.empty();
    }

    /** What this service has loaded: its text model, execution provider and collections. */
    Status status();

    /** The service's state, for health checks and the gateway. */
    record Status(
            String textModel,
            int dimension,
            String executionProvider,
            @Nullable String imageModel,
            List<CollectionStatus> collections) {}

    /** One collection's current version. */
    record CollectionStatus(String name, long version, IndexKind kind, int dimension, int size) {}
}
