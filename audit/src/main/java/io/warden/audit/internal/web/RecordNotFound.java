package io.warden.audit.internal.web;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;

/** No record has the sequence number asked for. */
final class RecordNotFound extends ProblemException {

    RecordNotFound(long sequence) {
        super("audit-record-not-found", ProblemKind.NOT_FOUND, "No audit record with sequence " + sequence);
    }
}
