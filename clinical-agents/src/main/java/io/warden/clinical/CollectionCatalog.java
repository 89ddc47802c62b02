package io.warden.clinical;

import java.util.Optional;

/** Port to the catalog of governed collections, for the modules that serve them. Thread-safe. */
public interface CollectionCatalog {

    /** The collection of that name, retired ones included; empty when there is none. */
    Optional<CollectionInfo> find(String name);
}
