package io.warden.clinical;

/** A model file or tokenizer is missing or unusable; start-up stops with this, naming the file and the fault. */
public final class ModelUnavailable extends RuntimeException {

    public ModelUnavailable(String message, Throwable cause) {
        super(message, cause);
    }

    public ModelUnavailable(String message) {
        super(message);
    }
}
