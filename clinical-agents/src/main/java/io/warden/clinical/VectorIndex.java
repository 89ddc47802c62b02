package io.warden.clinical;

import java.util.List;
import java.util.Map;

/**
 * Port to one searchable version of a collection. Narrow on purpose: a k-NN search with exact-match
 * metadata filters is what Lucene's HNSW, a flat scan and an OpenSearch k-NN cluster all offer.
 * Thread-safe; a version never changes once built.
 */
public interface VectorIndex {

    String name();

    int dimension();

    long version();

    int size();

    IndexKind kind();

    /**
     * The {@code k} records with the highest inner product with {@code query} whose metadata has every
     * entry of {@code filter}, best first.
     *
     * @throws RetrievalRejected for a query of the wrong dimension or with non-finite values, or k outside 1..10000
     */
    List<SearchHit> search(float[] query, int k, Map<String, String> filter);

    /** Several queries at once; implementations may share work between them (the flat index does). */
    default List<List<SearchHit>> searchAll(List<float[]> queries, int k, Map<String, String> filter) {
        return queries.stream().map(query -> search(query, k, filter)).toList();
    }
}
