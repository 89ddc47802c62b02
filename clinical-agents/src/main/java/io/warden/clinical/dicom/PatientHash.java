package io.warden.clinical.dicom;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The salted SHA-256 that stands in for a patient identifier. Every source of headers hashes through this one
 * class, so that the same patient read from a file and from a DICOMweb server gets the same hash and the
 * cohort can join them.
 */
final class PatientHash {

    private final byte[] salt;

    PatientHash(byte[] salt) {
        this.salt = salt.clone();
    }

    /** The hash of the value with surrounding spaces removed, or null when there is no value. */
    @Nullable
    String of(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            sha.update(value.strip().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
