package io.warden.clinical;

import java.util.List;
import java.util.Objects;

/**
 * What one search answered, with the evidence an auditor needs to reproduce it: the collection and the
 * {@link VectorIndex#version()} the search actually ran on (a build may switch versions between two calls), and the
 * hits, best first.
 */
public record Neighbours(String collection, long version, List<SearchHit> hits) {

    public Neighbours {
        Objects.requireNonNull(collection, "collection");
        hits = List.copyOf(hits);
    }
}
