package io.warden.audit.internal.anchoring;

/**
 * An RFC 3161 time-stamp authority: given the SHA-256 of some bytes, it returns a token, signed by the
 * authority, that those bytes existed at the token's time. Implementations are thread-safe.
 */
public interface TimeStampAuthority {

    /** Where the authority is, for logs, metrics and the stored token's row. */
    String name();

    /**
     * A DER-encoded time-stamp token over {@code sha256}, already checked: granted, carrying the request's nonce
     * and imprint, and signed by a trusted authority.
     *
     * @throws TimestampFailed when the authority cannot be reached, refuses, or answers with a bad token
     */
    byte[] timestamp(byte[] sha256) throws TimestampFailed;

    /** The authority gave no usable token. */
    final class TimestampFailed extends Exception {
        public TimestampFailed(String message) {
            super(message);
        }

        public TimestampFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
