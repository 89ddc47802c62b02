package io.warden.audit;

/** How the action ended, with the FHIR AuditEvent.outcome code of each. */
public enum Outcome {
    SUCCESS("0"),
    MINOR_FAILURE("4"),
    SERIOUS_FAILURE("8"),
    MAJOR_FAILURE("12");

    private final String fhirCode;

    Outcome(String fhirCode) {
        this.fhirCode = fhirCode;
    }

    public String fhirCode() {
        return fhirCode;
    }
}
