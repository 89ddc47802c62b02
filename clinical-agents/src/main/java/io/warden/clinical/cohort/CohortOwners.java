package io.warden.clinical.cohort;

import java.util.Optional;

/**
 * Port to who owns a cohort: the COHORT_BUILDER agent whose cohort's collection this is. The gateway serves a
 * cohort only while that agent is ACTIVE, so a cohort follows its builder's lifecycle without a copy of its status.
 * Thread-safe.
 */
@FunctionalInterface
public interface CohortOwners {

    /** Where no cohorts are kept: no collection is a cohort's. */
    CohortOwners NONE = collection -> Optional.empty();

    /** The id of the builder agent owning the cohort with this collection; empty when the collection is no cohort's. */
    Optional<String> ownerOf(String collection);
}
