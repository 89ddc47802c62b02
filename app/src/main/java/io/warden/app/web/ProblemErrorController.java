package io.warden.app.web;

import io.warden.audit.problem.Problems;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Locale;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The container's error page (errors raised outside any controller: unknown paths, failures in filters)
 * as problem+json too, in place of Boot's default JSON. It keeps the status and says nothing else about
 * the failure.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer value && HttpStatus.resolve(value) != null
                ? HttpStatus.valueOf(value)
                : HttpStatus.INTERNAL_SERVER_ERROR;
        String detail = switch (status) {
            case NOT_FOUND -> "No such resource";
            case INTERNAL_SERVER_ERROR ->
                "Warden could not complete the request; nothing was changed. The failure is logged.";
            default -> status.getReasonPhrase();
        };
        String problemCode = status == HttpStatus.INTERNAL_SERVER_ERROR
                ? "internal-error"
                : status.name().toLowerCase(Locale.ROOT).replace('_', '-');
        ProblemDetail problem = Problems.of(status, problemCode, detail, null);
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (uri instanceof String path) {
            problem.setInstance(URI.create(path));
        }
        return Problems.response(problem);
    }
}
