package io.warden.app.security;

import io.warden.audit.problem.ProblemKind;
import io.warden.audit.problem.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * 401 and 403 for the API as problem+json, keeping the RFC 6750 {@code WWW-Authenticate} header the
 * bearer-token handlers set. The detail never repeats the token.
 */
final class ProblemSecurityHandlers implements AuthenticationEntryPoint, AccessDeniedHandler {

    private final BearerTokenAuthenticationEntryPoint bearerEntryPoint = new BearerTokenAuthenticationEntryPoint();
    private final BearerTokenAccessDeniedHandler bearerDenied = new BearerTokenAccessDeniedHandler();
    private final JsonMapper json;

    ProblemSecurityHandlers(JsonMapper json) {
        this.json = json;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        bearerEntryPoint.commence(request, response, e);
        Problems.write(
                response,
                Problems.of(
                        ProblemKind.UNAUTHENTICATED,
                        "unauthenticated",
                        "A valid bearer access token is required (OAuth2, RFC 6750)",
                        null),
                json);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        bearerDenied.handle(request, response, e);
        Problems.write(
                response,
                Problems.of(
                        ProblemKind.FORBIDDEN,
                        "forbidden",
                        "Your roles do not allow " + request.getMethod() + " " + request.getRequestURI(),
                        null),
                json);
    }
}
