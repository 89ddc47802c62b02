package io.warden.clinical.internal;

import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.Vectors;
import java.util.Map;

/** Request checks shared by the index implementations. */
final class Searches {

    static final int MAX_K = 10_000;

    private Searches() {}

    static void check(String name, int dimension, float[] query, int k) {
        if (query.length != dimension) {
            throw new RetrievalRejected(
                    "wrong-dimension",
                    "Collection " + name + " holds " + dimension + "-dimensional vectors; the query has "
                            + query.length);
        }
        Vectors.requireFinite(query, "the query");
        if (k < 1 || k > MAX_K) {
            throw new RetrievalRejected("k-out-of-range", "k must be between 1 and " + MAX_K + ", got " + k);
        }
    }

    static boolean matches(Map<String, String> metadata, Map<String, String> filter) {
        for (var entry : filter.entrySet()) {
            if (!entry.getValue().equals(metadata.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
