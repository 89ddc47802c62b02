package io.warden.audit;

import java.util.Arrays;
import java.util.Optional;

/** The formats the audit trail exports to; every one carries the chain hashes and checkpoint signatures. */
public enum ExportFormat {
    /** Warden's own records, one JSON object a line, each with its canonical form and hash. */
    NDJSON("ndjson", "application/x-ndjson"),
    /** FHIR R4 AuditEvent resources (IHE BALP style), one a line; checkpoints as Basic resources. */
    FHIR_NDJSON("fhir-ndjson", "application/fhir+ndjson"),
    /** The same resources in one FHIR R4 Bundle of type collection. */
    FHIR_BUNDLE("fhir-bundle", "application/fhir+json"),
    /** Comma-separated values (RFC 4180), one row a record, anchor or checkpoint. */
    CSV("csv", "text/csv");

    private final String parameter;
    private final String mediaType;

    ExportFormat(String parameter, String mediaType) {
        this.parameter = parameter;
        this.mediaType = mediaType;
    }

    public String parameter() {
        return parameter;
    }

    public String mediaType() {
        return mediaType;
    }

    public static Optional<ExportFormat> of(String parameter) {
        return Arrays.stream(values())
                .filter(format -> format.parameter.equals(parameter))
                .findFirst();
    }
}
