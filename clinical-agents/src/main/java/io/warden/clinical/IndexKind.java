package io.warden.clinical;

/** How a collection is searched: exactly, or through Lucene's HNSW graph. */
public enum IndexKind {
    /** Exact inner product over every vector (SIMD through Lucene's VectorUtil); best below ~20,000 vectors. */
    FLAT,
    /** Approximate nearest neighbours on Apache Lucene's HNSW graph. */
    HNSW,
    /**
     * HNSW over 7-bit scalar-quantised vectors (about a quarter of the memory for the graph search); the
     * candidates are rescored exactly with the full-precision vectors, so the order of the results is exact.
     */
    HNSW_INT8
}
