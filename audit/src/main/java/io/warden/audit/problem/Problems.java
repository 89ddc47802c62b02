package io.warden.audit.problem;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Builds every RFC 9457 problem document Warden answers with, in one shape: {@code type} is {@link #TYPE_PREFIX}
 * followed by the stable code, {@code title} is the status's reason phrase, {@code code} repeats the code,
 * {@code field} names the request field at fault and {@code errors} lists it with the detail (a validation failure
 * lists every field), and an exception's extra facts are further members. It also holds the one mapping from
 * {@link ProblemKind} to HTTP status. Stateless and thread-safe.
 */
public final class Problems {

    /** The prefix of every problem {@code type}; clients match on {@code type} or on {@code code}. */
    public static final String TYPE_PREFIX = "urn:warden:problem:";

    private Problems() {}

    /** The one place a kind becomes an HTTP status. */
    public static HttpStatus status(ProblemKind kind) {
        return switch (kind) {
            case INVALID -> HttpStatus.BAD_REQUEST;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
            case UNPROCESSABLE -> HttpStatus.UNPROCESSABLE_CONTENT;
            case TOO_MANY_REQUESTS -> HttpStatus.TOO_MANY_REQUESTS;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    }

    /** The problem document for an exception a use case threw. */
    public static ProblemDetail of(ProblemException e) {
        ProblemDetail problem = of(status(e.kind()), e.code(), String.valueOf(e.getMessage()), e.field());
        e.properties().forEach(problem::setProperty);
        return problem;
    }

    /** A problem of one kind raised at the web edge itself (a filter, a framework failure). */
    public static ProblemDetail of(ProblemKind kind, String code, String detail, @Nullable String field) {
        return of(status(kind), code, detail, field);
    }

    /**
     * A problem with a status the framework chose (405, 406, 415, the container's error page, 500): those have no
     * kind, and keep their status.
     */
    public static ProblemDetail of(HttpStatusCode status, String code, String detail, @Nullable String field) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        typed(problem, code);
        HttpStatus known = HttpStatus.resolve(status.value());
        if (known != null) {
            problem.setTitle(known.getReasonPhrase());
        }
        if (field != null) {
            problem.setProperty("field", field);
            problem.setProperty("errors", List.of(Map.of("field", field, "message", detail)));
        }
        return problem;
    }

    /** Gives a problem the framework built its stable {@code type} and {@code code}. */
    public static ProblemDetail typed(ProblemDetail problem, String code) {
        problem.setType(URI.create(TYPE_PREFIX + code));
        problem.setProperty("code", code);
        return problem;
    }

    /** The answer for an exception: its problem, its status, and {@code Retry-After} when it gives one. */
    public static ResponseEntity<ProblemDetail> response(ProblemException e) {
        ResponseEntity<ProblemDetail> response = response(of(e));
        Duration retryAfter = e.retryAfter();
        if (retryAfter == null || retryAfter.isNegative() || retryAfter.isZero()) {
            return response;
        }
        HttpHeaders headers = new HttpHeaders();
        headers.putAll(response.getHeaders());
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter.toSeconds()));
        return new ResponseEntity<>(response.getBody(), headers, response.getStatusCode());
    }

    public static ResponseEntity<ProblemDetail> response(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    /**
     * Writes a problem from outside any controller (a servlet filter, a security handler), leaving headers already
     * set (such as {@code WWW-Authenticate}) in place.
     */
    public static void write(HttpServletResponse response, ProblemDetail problem, ObjectMapper json)
            throws IOException {
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }

    /**
     * The request field a JSON reading failure points at, as {@code a.b[2].c}, or {@code (body)} when it points at
     * the body as a whole; this is the name the {@code field} member carries.
     */
    public static String fieldPath(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "(body)" : path.toString();
    }
}
