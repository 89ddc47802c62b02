package io.warden.audit.internal.web;

/** A request to the audit API names an unknown filter, an unusable range or an unsupported format. */
final class AuditRequestInvalid extends RuntimeException {

    private final String field;

    AuditRequestInvalid(String field, String detail) {
        super(detail);
        this.field = field;
    }

    String field() {
        return field;
    }
}
