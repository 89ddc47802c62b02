package io.warden.app.web;

/** A request body went past {@code warden.http.max-body-size}. */
final class PayloadTooLarge extends RuntimeException {

    PayloadTooLarge(long limit) {
        super("The request body is larger than the limit of " + limit + " bytes");
    }
}
