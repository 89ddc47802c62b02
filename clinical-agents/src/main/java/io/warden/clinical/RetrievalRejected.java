package io.warden.clinical;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;

/**
 * A retrieval request was refused; {@link #code()} says why: {@code wrong-dimension}, {@code non-finite},
 * {@code k-out-of-range}, {@code unknown-collection}, {@code empty-collection}, {@code invalid-name},
 * {@code empty-id}, {@code duplicate-id}. An unknown collection is not found; every other code is an invalid request.
 */
public final class RetrievalRejected extends ProblemException {

    public RetrievalRejected(String code, String message) {
        super(code, code.equals("unknown-collection") ? ProblemKind.NOT_FOUND : ProblemKind.INVALID, message);
    }
}
