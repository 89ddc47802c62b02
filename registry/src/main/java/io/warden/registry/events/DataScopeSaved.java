package io.warden.registry.events;

import io.warden.registry.SensitivityLabel;
import java.time.Instant;

/** A data scope was created or changed; {@code version} is its new version (1 when created). */
public record DataScopeSaved(String key, SensitivityLabel sensitivity, boolean phi, long version, String actorId, Instant at) {
}
