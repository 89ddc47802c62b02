package io.warden.registry;

import java.util.SortedSet;

/**
 * A data set or collection an agent may be granted, with its sensitivity.
 *
 * @param key             stable slug, e.g. {@code imaging-ct-deid}
 * @param phi             the data set holds protected health information
 * @param deidentified    the data set has been de-identified (never together with {@code phi})
 * @param allowedPurposes the purposes of use under which agents may read it
 * @param deidentifyFor   the allowed purposes under which a call is served de-identified records only (a
 *                        subset of {@code allowedPurposes}; empty when none)
 * @param approvalRequired every call on it waits for a person's approval of its exact arguments (never by default)
 */
public record DataScopeView(
        String key,
        String displayName,
        String description,
        SensitivityLabel sensitivity,
        boolean phi,
        boolean deidentified,
        SortedSet<PurposeOfUse> allowedPurposes,
        SortedSet<PurposeOfUse> deidentifyFor,
        boolean demo,
        long version,
        boolean approvalRequired) {

    /** A data scope whose calls need no person's approval. */
    public DataScopeView(
            String key,
            String displayName,
            String description,
            SensitivityLabel sensitivity,
            boolean phi,
            boolean deidentified,
            SortedSet<PurposeOfUse> allowedPurposes,
            SortedSet<PurposeOfUse> deidentifyFor,
            boolean demo,
            long version) {
        this(
                key,
                displayName,
                description,
                sensitivity,
                phi,
                deidentified,
                allowedPurposes,
                deidentifyFor,
                demo,
                version,
                false);
    }
}
