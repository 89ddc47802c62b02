package io.warden.app.security;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.warden.policy.OnBehalfOf;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.server.resource.BearerTokenErrors;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The data plane's only authentication step ({@code /gateway/**}, and every other path of
 * {@link SecurityConfiguration#DATA_PLANE}): the bearer token from the {@code Authorization} header, verified by the
 * application's {@link JwtDecoder} (the {@link VerifiedTokenCache}: signature once, expiry, not-before, issuer and
 * audience on every call), turned into the caller by {@link TokenAuthenticationConverter}, and admitted only when the
 * caller is an agent. It replaces the generic resource-server chain for these paths because that chain's filters
 * (session, CSRF, request cache, anonymous caller, the DPoP matcher, the exception translation) cost more per call
 * than the governance behind them and none of them applies to a stateless agent call. The answers are the same as the
 * generic chain's: 401 with {@code WWW-Authenticate: Bearer} (and {@code error="invalid_token"} or
 * {@code invalid_request} when a token was presented) and 403 for a caller that is not an agent, both as
 * problem+json. The header is parsed as RFC 6750 §2.1 and Spring's resolver do ({@code Bearer} in any case, one
 * space, a b64token), without a regular expression. Revocation, agent status and kill switches are the gateway's
 * checks behind this filter. A delegated token (see {@link TokenAuthenticationConverter}) is admitted as its agent, and
 * the person it serves is set as the request attribute {@link OnBehalfOf#ATTRIBUTE}; a person's own token is refused
 * with 403. Thread-safe.
 */
final class AgentBearerAuthentication extends OncePerRequestFilter {

    private static final String SCHEME = "bearer ";
    /** The span of a data-plane call's token verification, a child of the request's span. */
    static final String SPAN = "warden.gateway.authenticate";

    private final JwtDecoder decoder;
    private final TokenAuthenticationConverter converter;
    private final ProblemSecurityHandlers problems;
    private final Tracer tracer;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    /** @param tracer opens the {@value #SPAN} span around the token's verification; {@link Tracer#NOOP} for none */
    AgentBearerAuthentication(
            JwtDecoder decoder,
            TokenAuthenticationConverter converter,
            ProblemSecurityHandlers problems,
            Tracer tracer) {
        this.decoder = decoder;
        this.converter = converter;
        this.problems = problems;
        this.tracer = tracer;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String token;
        try {
            token = bearerToken(request.getHeader("Authorization"));
        } catch (OAuth2AuthenticationException malformed) {
            problems.commence(request, response, malformed);
            return;
        }
        if (token == null) {
            problems.commence(
                    request,
                    response,
                    new InsufficientAuthenticationException("Full authentication is required to access this resource"));
            return;
        }
        AbstractAuthenticationToken caller;
        // the span names the step and its result, never the token or its claims
        Span span = tracer == Tracer.NOOP ? null : tracer.nextSpan().name(SPAN).start();
        try {
            Jwt jwt = decoder.decode(token);
            caller = converter.convert(jwt);
            if (span != null) {
                span.tag("warden.agent", caller.getName()).tag("warden.authenticated", String.valueOf(isAgent(caller)));
            }
        } catch (BadJwtException invalid) {
            if (span != null) {
                span.tag("warden.authenticated", "false");
            }
            problems.commence(request, response, new InvalidBearerTokenException(invalid.getMessage(), invalid));
            return;
        } catch (JwtException unavailable) {
            // as the resource server's provider: the keys could not be read, which is not the caller's fault
            if (span != null) {
                span.error(unavailable);
            }
            throw new AuthenticationServiceException(unavailable.getMessage(), unavailable);
        } finally {
            if (span != null) {
                span.end();
            }
        }
        caller.setDetails(new WebAuthenticationDetails(request));
        Authenticated authenticated = new Authenticated(request, caller);
        if (!isAgent(caller)) {
            // the bearer handler reads the principal to say the token's privileges are insufficient
            problems.handle(authenticated, response, new AccessDeniedException("Access Denied"));
            return;
        }
        OnBehalfOf person = TokenAuthenticationConverter.onBehalfOf(caller);
        if (person != null) {
            // the gateway (REST and MCP) reads the person a delegated call serves from here
            authenticated.setAttribute(OnBehalfOf.ATTRIBUTE, person);
        }
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(caller);
        contexts.setContext(context);
        try {
            chain.doFilter(authenticated, response);
        } finally {
            contexts.clearContext();
        }
    }

    /**
     * The token of an {@code Authorization: Bearer} header; null when the header is absent or names another scheme,
     * as Spring's {@code DefaultBearerTokenResolver}; a malformed bearer header is refused, never ignored.
     */
    static @Nullable String bearerToken(@Nullable String header) {
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length() - 1)) {
            return null;
        }
        if (header.length() <= SCHEME.length() || header.charAt(SCHEME.length() - 1) != ' ') {
            throw new OAuth2AuthenticationException(BearerTokenErrors.invalidToken("Bearer token is malformed"));
        }
        int end = header.length();
        while (end > SCHEME.length() && header.charAt(end - 1) == '=') {
            end--;
        }
        if (end == SCHEME.length()) {
            throw new OAuth2AuthenticationException(BearerTokenErrors.invalidToken("Bearer token is malformed"));
        }
        for (int i = SCHEME.length(); i < end; i++) {
            if (!isTokenChar(header.charAt(i))) {
                throw new OAuth2AuthenticationException(BearerTokenErrors.invalidToken("Bearer token is malformed"));
            }
        }
        return header.substring(SCHEME.length());
    }

    /** RFC 6750's b64token characters before any trailing '='. */
    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~'
                || c == '+'
                || c == '/';
    }

    private static boolean isAgent(Authentication caller) {
        for (GrantedAuthority authority : caller.getAuthorities()) {
            if (TokenAuthenticationConverter.AGENT.equals(authority.getAuthority())) {
                return true;
            }
        }
        return false;
    }

    /** The request as the servlet API sees it once authenticated: the agent is its user principal. */
    private static final class Authenticated extends HttpServletRequestWrapper {

        private final Authentication caller;

        Authenticated(HttpServletRequest request, Authentication caller) {
            super(request);
            this.caller = caller;
        }

        @Override
        public Principal getUserPrincipal() {
            return caller;
        }

        @Override
        public String getRemoteUser() {
            return caller.getName();
        }

        @Override
        public boolean isUserInRole(String role) {
            String authority = role.startsWith("ROLE_") ? role : "ROLE_" + role;
            for (GrantedAuthority granted : caller.getAuthorities()) {
                if (authority.equals(granted.getAuthority())) {
                    return true;
                }
            }
            return false;
        }
    }
}
