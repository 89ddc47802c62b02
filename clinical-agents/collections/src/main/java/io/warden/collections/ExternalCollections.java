package io.warden.collections;

import io.warden.clinical.IndexKind;
import io.warden.clinical.Modality;

/**
 * Port for the modules that build collections themselves (the cohort runs): each version they publish is entered into
 * the catalog, so the gateway reads their collections like every other, within their data scope. Thread-safe;
 * idempotent per version.
 */
public interface ExternalCollections {

    /**
     * Records {@code version} of {@code name} as its current one, creating the catalog entry on its first version.
     *
     * @throws IllegalStateException when the name is taken by a collection the API manages, or is bound to another
     *                               data scope: one name never serves two scopes
     */
    void published(Published version);

    /**
     * A version built outside this module.
     *
     * @param actor who caused it ({@code system:warden} for a process step)
     */
    record Published(
            String name,
            String displayName,
            String dataScope,
            Modality modality,
            String embeddingModel,
            IndexKind indexKind,
            int dimension,
            long version,
            String actor) {}
}
