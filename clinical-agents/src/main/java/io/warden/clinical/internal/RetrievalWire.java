package io.warden.clinical.internal;

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

    /** A search or classification: by vector, by text or by image (base64), exactly one of them. */
    public record Query(
            String collection,
            float @Nullable [] vector,
            @Nullable String text,
            @Nullable String image,
            int k,
            @Nullable Map<String, String> filter,
            @Nullable String labelKey,
            @Nullable Boolean weighted) {}

    public record Hits(List<SearchHit> hits) {}
}
