package io.warden.clinical;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port to the named, versioned collections. Building a collection writes a new version beside the
 * current one and then switches to it atomically: searches see the old version or the new one, never a
 * half-built index, and never an error because of the switch. Versions persist and reopen at start.
 */
public interface VectorCollections {

    /** Builds {@code records} as the next version of {@code name} and makes it current. */
    VectorIndex replace(String name, IndexKind kind, int dimension, List<VectorRecord> records);

    Optional<VectorIndex> find(String name);

    List<VectorIndex> all();

    /**
     * Searches the current version of {@code name}.
     *
     * @throws RetrievalRejected ({@code unknown-collection}) when there is none
     */
    List<SearchHit> search(String name, float[] query, int k, Map<String, String> filter);

    /**
     * As {@link #search}, with the version the search ran on: the evidence a governed answer carries.
     *
     * @throws RetrievalRejected ({@code unknown-collection}) when there is none
     */
    Neighbours neighbours(String name, float[] query, int k, Map<String, String> filter);
}
