package io.warden.clinical;

/** How a collection is searched: exactly, or through Lucene's HNSW graph. */
public enum IndexKind {
    /** Exact inner product over every vector (SIMD through Lucene's VectorUtil); best below ~20,000 vectors. */
    FLAT,
    /** Approximate nearest neighbours on Apache Lucene's HNSW graph. */
    HNSW
}
