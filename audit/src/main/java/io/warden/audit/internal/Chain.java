package io.warden.audit.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The chain rule: {@code hash_n = SHA-256(hash_(n-1) || canonical_n)}, starting from 32 zero bytes. */
public final class Chain {

    public static final byte[] GENESIS = new byte[32];

    private final MessageDigest sha256;

    public Chain() {
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Not thread-safe: one instance per thread. */
    public byte[] next(byte[] previous, byte[] canonical) {
        sha256.reset();
        sha256.update(previous);
        sha256.update(canonical);
        return sha256.digest();
    }
}
