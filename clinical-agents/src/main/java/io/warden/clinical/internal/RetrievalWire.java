package io.warden.clinical.internal;

import io.warden.clinical.Classification;
import io.warden.clinical.SearchHit;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON bodies between the gateway and a retrieval node (version 1 of the internal API under
 * {@code /internal/retrieval/v1}).
 */
public final class RetrievalWire {

    private RetrievalWire() {}

    /**
     * A search or classification: by vector, by text or by image (base64), exactly one of them.
     *
     * @param model for an image: the embedding model the collection was built with, when the gateway knows it
     */
    public record Query(
            String collection,
            float @Nullable [] vector,
            @Nullable String text,
            @Nullable String image,
            int k,
            @Nullable Map<String, String> filter,
            @Nullable String labelKey,
            @Nullable Boolean weighted,
            @Nullable String model) {}

    /**
     * The hits of a search, with the collection and version they came from (a node of an older release answers
     * without them: {@code version} is then {@code -1}).
     */
    public record Hits(
            List<SearchHit> hits,
            @Nullable String collection,
            @Nullable Long version) {}

    /** A vote, with the collection and version its neighbours came from. */
    public record Voted(Classification classification, String collection, long version) {}
}
