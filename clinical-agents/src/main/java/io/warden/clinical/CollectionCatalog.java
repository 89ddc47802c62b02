package io.warden.clinical;

import java.util.Optional;

/**
 * Port to the catalog of governed collections, which the gateway reads before every built-in tool's search: which
 * data scope a collection belongs to, whether it is retired, and which version is current. The catalog is shared by
 * every instance; an implementation answers what it records now (no instance-local staleness), and makes this
 * instance serve the version it names, so that a search right after {@code find} reads that version. Thread-safe.
 */
public interface CollectionCatalog {

    /** A catalog without collections, for wiring where none are governed (tests of other modules). */
    CollectionCatalog NONE = name -> Optional.empty();

    /** The collection of that name, retired ones included; empty when there is none. */
    Optional<CollectionInfo> find(String name);
}
