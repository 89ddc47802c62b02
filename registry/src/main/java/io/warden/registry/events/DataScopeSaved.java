package io.warden.registry.events;

import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import java.time.Instant;
import java.util.SortedSet;

/**
 * A data scope was created or changed; {@code version} is its new version (1 when created).
 *
 * @param approvalRequired every call on it waits for a person's approval of its exact arguments
 */
public record DataScopeSaved(
        String key,
        SensitivityLabel sensitivity,
        boolean phi,
        SortedSet<PurposeOfUse> allowedPurposes,
        SortedSet<PurposeOfUse> deidentifyFor,
        long version,
        String actorId,
        Instant at,
        boolean approvalRequired) {

    /** A change recorded before data scopes could oblige an approval. */
    public DataScopeSaved(
            String key,
            SensitivityLabel sensitivity,
            boolean phi,
            SortedSet<PurposeOfUse> allowedPurposes,
            SortedSet<PurposeOfUse> deidentifyFor,
            long version,
            String actorId,
            Instant at) {
        this(key, sensitivity, phi, allowedPurposes, deidentifyFor, version, actorId, at, false);
    }
}
