package io.warden.audit.internal.siem;

import java.io.IOException;

/** A receiver answered, but did not accept a delivery; the records are sent again after a backoff. */
final class SiemDeliveryFailed extends IOException {

    private static final long serialVersionUID = 1L;

    SiemDeliveryFailed(String message) {
        super(message);
    }
}
