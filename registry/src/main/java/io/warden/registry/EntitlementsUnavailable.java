package io.warden.registry;

/**
 * A person's entitlement could not be worked out (the directory or the database did not answer); whoever asked
 * must deny. Code {@code entitlements-unavailable}.
 */
public final class EntitlementsUnavailable extends RuntimeException {

    public static final String CODE = "entitlements-unavailable";

    public EntitlementsUnavailable(String personId, Throwable cause) {
        super(
                "The entitlements of " + personId + " cannot be read now ("
                        + cause.getClass().getSimpleName() + "); the read is refused until the directory answers",
                cause);
    }
}
