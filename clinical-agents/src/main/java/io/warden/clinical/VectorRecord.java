package io.warden.clinical;

import java.util.Map;
import java.util.Objects;

/**
 * A vector with its id and metadata (label, dataset, study and series UIDs, ...). Vectors must be finite;
 * collections searched by inner product expect them L2-normalised.
 */
public record VectorRecord(String id, float[] vector, Map<String, String> metadata) {

    public VectorRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(vector, "vector");
        metadata = Map.copyOf(metadata);
        if (id.isBlank()) {
            throw new RetrievalRejected("empty-id", "A vector record needs an id");
        }
        Vectors.requireFinite(vector, "record " + id);
    }
}
