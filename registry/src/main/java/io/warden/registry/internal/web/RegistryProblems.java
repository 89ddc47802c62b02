package io.warden.registry.internal.web;

import io.warden.registry.RegistryException;
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

/**
 * Renders {@link RegistryException}s as RFC 9457 problem+json: {@code type} is
 * {@code urn:warden:problem:<code>}, {@code code} repeats the stable code, {@code field} names the request
 * field at fault, and extra facts (the current status, the rule broken) are further members.
 */
@RestControllerAdvice(basePackageClasses = RegistryProblems.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class RegistryProblems {

    static final String TYPE_PREFIX = "urn:warden:problem:";

    @ExceptionHandler(RegistryException.class)
    ResponseEntity<ProblemDetail> handle(RegistryException e) {
        HttpStatus status = HttpStatus.valueOf(e.httpStatus());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setType(URI.create(TYPE_PREFIX + e.code()));
        problem.setTitle(title(e.code()));
        problem.setProperty("code", e.code());
        if (e.field() != null) {
            problem.setProperty("field", e.field());
            problem.setProperty("errors", List.of(Map.of("field", e.field(), "message", String.valueOf(e.getMessage()))));
        }
        e.properties().forEach(problem::setProperty);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static String title(String code) {
        String words = code.replace('-', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
