package io.warden.app.web;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;

/** A request body went past {@code warden.http.max-body-size}. */
final class PayloadTooLarge extends ProblemException {

    PayloadTooLarge(long limit) {
        super(
                "payload-too-large",
                ProblemKind.TOO_LARGE,
                "The request body is larger than the limit of " + limit + " bytes");
    }
}
