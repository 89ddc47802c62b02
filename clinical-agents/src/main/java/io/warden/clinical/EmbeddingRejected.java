package io.warden.clinical;

/** An embedding request was refused: an empty text, too many texts, or input the model cannot take. */
public final class EmbeddingRejected extends RuntimeException {

    private final String code;

    public EmbeddingRejected(String code, String message) {
        super(message);
        this.code = code;
    }

    /** Stable code: {@code empty-text}, {@code batch-too-large}. */
    public String code() {
        return code;
    }
}
