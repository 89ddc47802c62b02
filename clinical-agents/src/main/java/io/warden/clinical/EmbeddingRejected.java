package io.warden.clinical;

/** An embedding request was refused: an empty text, too many texts, or input the model cannot take. */
public final class EmbeddingRejected extends RuntimeException {

    private final String code;

    public EmbeddingRejected(String code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * Refuses a batch larger than {@code max} with {@code batch-too-large}.
     *
     * @param what the plural noun the message uses, such as {@code "texts"} or {@code "images"}
     */
    public static void requireBatchAtMost(int size, int max, String what) {
        if (size > max) {
            throw new EmbeddingRejected("batch-too-large", size + " " + what + " in one request; at most " + max);
        }
    }

    /** Stable code: {@code empty-text}, {@code batch-too-large}. */
    public String code() {
        return code;
    }
}
