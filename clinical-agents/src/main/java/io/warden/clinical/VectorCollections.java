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

    /**
     * Writes {@code records} as version {@code version} of {@code name} without serving it: the collections module
     * numbers versions in its catalog and switches every instance to one with {@link #serve}. Writing a version that
     * exists already replaces its files (a build that stopped before its version was recorded writes it again).
     *
     * @throws RetrievalRejected for an invalid name, dimension, record or version number
     */
    void build(String name, long version, IndexKind kind, int dimension, List<VectorRecord> records);

    /**
     * Makes version {@code version} of {@code name} the one this instance searches, opening it from storage unless it
     * is current already. The version it replaces is closed once its searches end, and its files are kept: other
     * instances may still read them.
     *
     * @throws RetrievalRejected ({@code version-unavailable}) when the version cannot be opened from storage
     */
    VectorIndex serve(String name, long version);

    /**
     * Deletes the stored files of version {@code version} of {@code name}, a version no instance serves any more (the
     * collections module prunes superseded versions once every instance has had time to switch). Deleting what is
     * gone already does nothing.
     *
     * @throws RetrievalRejected ({@code version-served}) when this instance serves that version now, and for an
     *     invalid name
     */
    void drop(String name, long version);

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
