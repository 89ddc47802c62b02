package io.warden.clinical;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;

/**
 * An embedding request was refused: an empty text, too many texts, or input the model cannot take. Stable codes:
 * {@code empty-text}, {@code batch-too-large} and the image decoders' own; always an invalid request.
 */
public final class EmbeddingRejected extends ProblemException {

    public EmbeddingRejected(String code, String message) {
        super(code, ProblemKind.INVALID, message);
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
}
