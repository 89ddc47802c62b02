package io.warden.clinical;

/**
 * A retrieval request was refused; {@link #code()} says why: {@code wrong-dimension}, {@code non-finite},
 * {@code k-out-of-range}, {@code unknown-collection}, {@code empty-collection}, {@code invalid-name},
 * {@code empty-id}, {@code duplicate-id}.
 */
public final class RetrievalRejected extends RuntimeException {

    private final String code;

    public RetrievalRejected(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
