package io.warden.audit.internal.web;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import java.util.Map;

/** A request to the audit API names an unknown filter, an unusable range or an unsupported format. */
final class AuditRequestInvalid extends ProblemException {

    AuditRequestInvalid(String field, String detail) {
        super("invalid-field", ProblemKind.INVALID, detail, field, Map.of());
    }
}
