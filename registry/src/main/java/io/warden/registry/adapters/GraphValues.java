package io.warden.registry.adapters;

import org.jspecify.annotations.Nullable;

/**
 * The Graph SDK's models declare every property nullable; where Entra always returns one (an object's id, an
 * application's appId, a secret just issued) a missing value means the response is not what Warden asked for, and the
 * call fails there with what was missing instead of a NullPointerException further on.
 */
final class GraphValues {

    private GraphValues() {}

    static <T> T required(@Nullable T value, String what) {
        if (value == null) {
            throw new IllegalStateException("Entra returned no " + what);
        }
        return value;
    }
}
