package io.warden.app.web;

import io.warden.audit.problem.ProblemKind;
import io.warden.audit.problem.Problems;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every error the framework raises, as problem+json built by the shared renderer ({@link Problems}): a stable
 * {@code type}, the {@code code} itself and, where one is at fault, the {@code field}. Modules' own errors
 * ({@link io.warden.audit.problem.ProblemException}) are rendered by the shared advice before this one is asked.
 * Unexpected failures are logged with their cause and answered with a bare 500 that carries no stack trace, SQL or
 * message.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class ApiProblems extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblems.class);

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Throwable cause = e.getMostSpecificCause();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PayloadTooLarge tooLarge) {
                return response(Problems.of(tooLarge));
            }
        }
        ProblemDetail problem;
        if (cause instanceof UnrecognizedPropertyException unknown) {
            String field = Problems.fieldPath(unknown);
            problem = problem(HttpStatus.BAD_REQUEST, "unknown-field", "Unknown field '" + field + "'", field);
        } else if (cause instanceof InvalidFormatException invalid) {
            String field = Problems.fieldPath(invalid);
            problem = problem(
                    HttpStatus.BAD_REQUEST,
                    "invalid-field",
                    "Field '" + field + "' has a value of the wrong form: '" + invalid.getValue() + "'",
                    field);
        } else if (cause instanceof MismatchedInputException mismatched
                && !mismatched.getPath().isEmpty()) {
            String field = Problems.fieldPath(mismatched);
            problem =
                    problem(HttpStatus.BAD_REQUEST, "invalid-field", "Field '" + field + "' has the wrong type", field);
        } else if (cause instanceof StreamReadException || cause instanceof JacksonException) {
            problem =
                    problem(HttpStatus.BAD_REQUEST, "malformed-json", "The request body is not well-formed JSON", null);
        } else {
            problem = problem(HttpStatus.BAD_REQUEST, "missing-body", "The request needs a JSON body", null);
        }
        return response(problem);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = new ArrayList<>();
        for (FieldError error : e.getBindingResult().getFieldErrors()) {
            errors.add(Map.of("field", error.getField(), "message", String.valueOf(error.getDefaultMessage())));
        }
        errors.sort(Comparator.comparing(error -> error.get("field")));
        String field = errors.isEmpty() ? null : errors.getFirst().get("field");
        String detail = errors.isEmpty()
                ? "The request is invalid"
                : "Field '" + field + "' " + errors.getFirst().get("message")
                        + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-field", detail, field);
        problem.setProperty("errors", errors);
        return response(problem);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = new ArrayList<>();
        e.getParameterValidationResults().forEach(result -> {
            String name = parameterName(result.getMethodParameter());
            result.getResolvableErrors()
                    .forEach(error ->
                            errors.add(Map.of("field", name, "message", String.valueOf(error.getDefaultMessage()))));
        });
        String field = errors.isEmpty() ? null : errors.getFirst().get("field");
        ProblemDetail problem = problem(
                HttpStatus.BAD_REQUEST,
                "invalid-field",
                field == null
                        ? "The request is invalid"
                        : "'" + field + "' " + errors.getFirst().get("message"),
                field);
        problem.setProperty("errors", errors);
        return response(problem);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e) {
        return response(problem(
                HttpStatus.BAD_REQUEST,
                "invalid-field",
                "Parameter '" + e.getName() + "' has an invalid value '" + e.getValue() + "'",
                e.getName()));
    }

    /** Security exceptions reach here only from inside controllers; they keep their meaning. */
    @ExceptionHandler(AuthenticationException.class)
    ResponseEntity<Object> unauthenticated(AuthenticationException e) {
        return response(Problems.of(
                ProblemKind.UNAUTHENTICATED, "unauthenticated", "A valid bearer access token is required", null));
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<Object> denied(AccessDeniedException e) {
        return response(Problems.of(ProblemKind.FORBIDDEN, "forbidden", "You may not do this", null));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
        log.error("Unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
        return response(problem(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "internal-error",
                "Warden could not complete the request; nothing was changed. The failure is logged.",
                null));
    }

    /** Framework errors (404, 405, 415, ...) keep their status and get a stable type and code. */
    @Override
    protected ResponseEntity<Object> createResponseEntity(
            @Nullable Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail problem
                && (problem.getType() == null
                        || "about:blank".equals(problem.getType().toString()))) {
            Problems.typed(problem, codeFor(statusCode));
        }
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return new ResponseEntity<>(body, headers, statusCode);
    }

    private static String codeFor(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null
                ? "http-" + status.value()
                : known.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static ProblemDetail problem(HttpStatus status, String code, String detail, @Nullable String field) {
        return Problems.of(status, code, detail, field);
    }

    private static ResponseEntity<Object> response(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    private static String parameterName(MethodParameter parameter) {
        var header = parameter.getParameterAnnotation(RequestHeader.class);
        if (header != null && !header.name().isEmpty()) {
            return header.name();
        }
        var param = parameter.getParameterAnnotation(RequestParam.class);
        if (param != null && !param.name().isEmpty()) {
            return param.name();
        }
        return String.valueOf(parameter.getParameterName());
    }
}
