package io.warden.registry.events;

import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import java.time.Instant;
import java.util.SortedSet;

/** A data scope was created or changed; {@code version} is its new version (1 when created). */
public record DataScopeSaved(
        String key,
        SensitivityLabel sensitivity,
        boolean phi,
        SortedSet<PurposeOfUse> allowedPurposes,
        SortedSet<PurposeOfUse> deidentifyFor,
        long version,
        String actorId,
        Instant at) {}
