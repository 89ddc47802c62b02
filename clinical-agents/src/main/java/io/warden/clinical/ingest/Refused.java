package io.warden.clinical.ingest;

/** One input that cannot become a record, with the stable code and the reason its {@link IngestItem.Rejected} carries. */
final class Refused extends Exception {

    private final String code;

    Refused(String code, String reason) {
        super(reason, null, false, false);
        this.code = code;
    }

    String code() {
        return code;
    }

    String reason() {
        String message = getMessage();
        return message == null ? code : message;
    }
}
