package io.warden.audit.internal.web;

import org.jspecify.annotations.Nullable;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The audit API's errors as problem+json, in the same shape as the rest of Warden's API. */
@RestControllerAdvice(basePackageClasses = AuditProblems.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class AuditProblems {

    @ExceptionHandler(AuditRequestInvalid.class)
    ResponseEntity<ProblemDetail> invalid(AuditRequestInvalid e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-field", e.getMessage(), e.field());
    }

    @ExceptionHandler(RecordNotFound.class)
    ResponseEntity<ProblemDetail> notFound(RecordNotFound e) {
        return problem(HttpStatus.NOT_FOUND, "audit-record-not-found", e.getMessage(), null);
    }

    static ResponseEntity<ProblemDetail> problem(HttpStatus status, String code, @Nullable String detail, @Nullable String field) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:warden:problem:" + code));
        problem.setTitle(status.getReasonPhrase());
        problem.setProperty("code", code);
        if (field != null) {
            problem.setProperty("field", field);
            problem.setProperty("errors", List.of(Map.of("field", field, "message", detail)));
        }
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    /** No record has the sequence number asked for. */
    static final class RecordNotFound extends RuntimeException {
        RecordNotFound(long sequence) {
            super("No audit record with sequence " + sequence);
        }
    }
}
