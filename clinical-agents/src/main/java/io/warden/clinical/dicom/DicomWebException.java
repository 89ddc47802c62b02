package io.warden.clinical.dicom;

import org.jspecify.annotations.Nullable;

/**
 * A DICOMweb request that failed for good: refused at once (a 4xx other than 429, a redirect, a response that is
 * not DICOM JSON) or still failing after the last retry (an I/O error, 429 or 5xx). It names the URL and the
 * last HTTP status so that an operator can tell a wrong address from a wrong password from a server that is
 * down. Credentials travel only in headers, never in the URL, so the message holds none.
 */
public final class DicomWebException extends RuntimeException {

    private final String url;
    private final int status;

    /** @param status the last HTTP status, or 0 when no response came (an I/O error) */
    public DicomWebException(String url, int status, String message, @Nullable Throwable cause) {
        super("GET " + url + (status > 0 ? " (HTTP " + status + ")" : "") + ": " + message, cause);
        this.url = url;
        this.status = status;
    }

    public String url() {
        return url;
    }

    /** The last HTTP status, or 0 when no response came. */
    public int status() {
        return status;
    }
}
