package io.warden.app.security;

import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.http.converter.OAuth2ErrorHttpMessageConverter;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/**
 * Wraps each of the embedded provider's client authentication providers so that a client belonging to an
 * agent authenticates only while the registry says the agent is ACTIVE: a suspended, retired (or not yet
 * approved) agent gets {@code invalid_client} (RFC 6749 §5.2) from the token endpoint the moment its
 * status changes, on every instance, without waiting for its identity to be disabled or removed. Clients
 * that belong to no agent (the portal, the command-line tools) are not affected. When the registry cannot
 * be read the client is refused too, with {@code temporarily_unavailable}: no token is issued on a guess.
 * Thread-safe.
 */
final class ActiveAgentsOnly implements AuthenticationProvider {

    private final AuthenticationProvider delegate;
    private final AgentQueries agents;

    ActiveAgentsOnly(AuthenticationProvider delegate, AgentQueries agents) {
        this.delegate = delegate;
        this.agents = agents;
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) throws AuthenticationException {
        Authentication result = delegate.authenticate(authentication);
        if (result instanceof OAuth2ClientAuthenticationToken client && client.getRegisteredClient() != null) {
            String clientId = client.getRegisteredClient().getClientId();
            Optional<AgentView> agent;
            try {
                agent = agents.findAgentByClientId(clientId);
            } catch (RuntimeException e) {
                throw new OAuth2AuthenticationException(
                        new OAuth2Error(
                                OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE,
                                "The agent registry could not be read, so no token is issued; try again",
                                null),
                        e);
            }
            if (agent.isPresent() && agent.get().status() != AgentStatus.ACTIVE) {
                throw new OAuth2AuthenticationException(new OAuth2Error(
                        OAuth2ErrorCodes.INVALID_CLIENT,
                        "The client's agent is " + agent.get().status(),
                        "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2"));
            }
        }
        return result;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }

    /**
     * The client authentication's error answer: as the provider's own (401 for {@code invalid_client}, 400
     * otherwise), and 503 when the registry was unavailable, so that a client retries rather than concluding
     * its credentials are wrong.
     */
    static AuthenticationFailureHandler errorResponses() {
        OAuth2ErrorHttpMessageConverter converter = new OAuth2ErrorHttpMessageConverter();
        return (HttpServletRequest request, HttpServletResponse response, AuthenticationException exception) -> {
            OAuth2Error error = exception instanceof OAuth2AuthenticationException oauth
                    ? oauth.getError()
                    : new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT);
            SecurityContextHolder.clearContext();
            ServletServerHttpResponse http = new ServletServerHttpResponse(response);
            http.setStatusCode(
                    switch (error.getErrorCode()) {
                        case OAuth2ErrorCodes.INVALID_CLIENT -> HttpStatus.UNAUTHORIZED;
                        case OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
                        default -> HttpStatus.BAD_REQUEST;
                    });
            try {
                converter.write(error, null, http);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
