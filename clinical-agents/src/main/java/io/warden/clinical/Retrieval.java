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

    /** The {@code k} nearest records of {@code collection} to {@code vector}, filtered by metadata. */
    List<SearchHit> searchByVector(String collection, float[] vector, int k, Map<String, String> filter);

    /** As {@link #searchByVector}, with the text embedded by the collection's text model first. */
    List<SearchHit> searchByText(String collection, String text, int k, Map<String, String> filter);

    /**
     * As {@link #searchByVector}, with the image (PNG, JPEG) embedded by the configured image model first.
     *
     * @throws RetrievalRejected ({@code no-image-model}) when none is configured
     */
    List<SearchHit> searchByImage(String collection, byte[] image, int k, Map<String, String> filter);

    /** A k-NN vote over the labels ({@code labelKey}) of the nearest records to the text. */
    Classification classifyText(
            String collection, String text, int k, String labelKey, boolean weighted, Map<String, String> filter);

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
