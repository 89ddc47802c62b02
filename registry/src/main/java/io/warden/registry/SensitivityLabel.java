package io.warden.registry;

/** Sensitivity of a data set, in the four-level scheme Microsoft Purview uses by default, lowest first. */
public enum SensitivityLabel {
    PUBLIC,
    INTERNAL,
    CONFIDENTIAL,
    HIGHLY_CONFIDENTIAL;

    public boolean atLeast(SensitivityLabel other) {
        return compareTo(other) >= 0;
    }
}
