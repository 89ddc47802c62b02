package io.warden.app.security;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import io.warden.policy.OnBehalfOf;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClaimAccessor;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenExchangeAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.oauth2.server.authorization.token.DefaultOAuth2TokenContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;

/**
 * RFC 8693 token exchange for delegation, in place of Spring Authorization Server's general one: a registered, ACTIVE
 * agent (the authenticated client) exchanges an access token this provider issued to a person (authorization code
 * flow: the portal's sign-in or {@code bin/warden-token person}) for a token whose subject is the person and whose
 * actor ({@code act.sub}) is the agent. The general provider is not used because it lets any client holding the grant
 * type impersonate anyone whose token it holds, re-exchange exchanged tokens into ever longer actor chains, and copies
 * the person's scopes (the portal's {@code openid}) onto a token meant for the gateway.
 *
 * <p>Refusals follow RFC 8693 §2.2.2 and RFC 6749 §5.2: a client that is no agent gets {@code unauthorized_client}, an
 * agent that is not ACTIVE {@code invalid_client}; a subject token that is unknown to this provider (foreign, forged),
 * expired, revoked, or not a person's own token (an agent's client-credentials token, an already delegated token)
 * gets {@code invalid_grant}; another {@code subject_token_type} or an {@code actor_token} (the actor is always the
 * authenticated client) gets {@code invalid_request}. The issued token lives no longer than the agent's token lifetime
 * nor than the person's token. Each exchange is audited as {@code identity.token_exchanged} naming the agent and the
 * person, never a token. Thread-safe.
 */
final class PersonTokenExchange implements AuthenticationProvider {

    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    static final String JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    private static final String SPEC = "https://datatracker.ietf.org/doc/html/rfc8693#section-2.2.2";

    private final OAuth2AuthorizationService authorizations;
    private final Supplier<OAuth2TokenGenerator<? extends OAuth2Token>> tokens;
    private final AgentQueries agents;
    private final AuditLog audit;
    private final Clock clock;

    PersonTokenExchange(
            OAuth2AuthorizationService authorizations,
            Supplier<OAuth2TokenGenerator<? extends OAuth2Token>> tokens,
            AgentQueries agents,
            AuditLog audit,
            Clock clock) {
        this.authorizations = authorizations;
        this.tokens = tokens;
        this.agents = agents;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        OAuth2TokenExchangeAuthenticationToken exchange = (OAuth2TokenExchangeAuthenticationToken) authentication;
        if (!(exchange.getPrincipal() instanceof OAuth2ClientAuthenticationToken client)
                || !client.isAuthenticated()
                || client.getRegisteredClient() == null) {
            throw refused(OAuth2ErrorCodes.INVALID_CLIENT, "The client is not authenticated");
        }
        RegisteredClient registered = client.getRegisteredClient();
        String clientId = registered.getClientId();
        AgentView agent = agent(clientId)
                .orElseThrow(() -> refused(
                        OAuth2ErrorCodes.UNAUTHORIZED_CLIENT, "Only a registered agent may exchange a person's token"));
        if (agent.status() != AgentStatus.ACTIVE) {
            throw refused(OAuth2ErrorCodes.INVALID_CLIENT, "The client's agent is " + agent.status());
        }
        if (!ACCESS_TOKEN_TYPE.equals(exchange.getSubjectTokenType())) {
            throw refused(OAuth2ErrorCodes.INVALID_REQUEST, "subject_token_type must be " + ACCESS_TOKEN_TYPE);
        }
        String requested = exchange.getRequestedTokenType();
        if (requested != null && !ACCESS_TOKEN_TYPE.equals(requested) && !JWT_TOKEN_TYPE.equals(requested)) {
            throw refused(OAuth2ErrorCodes.INVALID_REQUEST, "requested_token_type must be " + ACCESS_TOKEN_TYPE);
        }
        if (exchange.getActorToken() != null && !exchange.getActorToken().isBlank()) {
            throw refused(
                    OAuth2ErrorCodes.INVALID_REQUEST,
                    "actor_token is not accepted: the actor is the authenticated agent");
        }
        OAuth2Authorization subject =
                authorizations.findByToken(exchange.getSubjectToken(), OAuth2TokenType.ACCESS_TOKEN);
        if (subject == null) {
            throw refused(OAuth2ErrorCodes.INVALID_GRANT, "subject_token is not a token this provider issued");
        }
        OAuth2Authorization.Token<OAuth2AccessToken> subjectToken = subject.getAccessToken();
        Instant now = clock.instant();
        if (subjectToken == null
                || subjectToken.isInvalidated()
                || subjectToken.getToken().getExpiresAt() == null
                || !subjectToken.getToken().getExpiresAt().isAfter(now)) {
            throw refused(OAuth2ErrorCodes.INVALID_GRANT, "subject_token is expired or revoked");
        }
        // only a person's own sign-in: not an agent's client-credentials token, not a token already delegated
        if (!AuthorizationGrantType.AUTHORIZATION_CODE.equals(subject.getAuthorizationGrantType())
                || !(subject.getAttribute(Principal.class.getName()) instanceof Authentication person)) {
            throw refused(OAuth2ErrorCodes.INVALID_GRANT, "subject_token is not a person's token");
        }
        String personId = subjectToken.getClaims() == null ? null : claim(subjectToken.getClaims(), "oid");
        if (personId == null) {
            throw refused(OAuth2ErrorCodes.INVALID_GRANT, "subject_token names no person (oid)");
        }
        Set<String> scopes = new LinkedHashSet<>(registered.getScopes());
        DefaultOAuth2TokenContext context = DefaultOAuth2TokenContext.builder()
                .registeredClient(registered)
                .authorization(subject)
                .principal(person)
                .authorizationServerContext(AuthorizationServerContextHolder.getContext())
                .authorizedScopes(scopes)
                .tokenType(OAuth2TokenType.ACCESS_TOKEN)
                .authorizationGrantType(AuthorizationGrantType.TOKEN_EXCHANGE)
                .authorizationGrant(exchange)
                .build();
        OAuth2Token generated = tokens.get().generate(context);
        Instant expiresAt = generated == null ? null : generated.getExpiresAt();
        if (!(generated instanceof ClaimAccessor claims) || generated.getIssuedAt() == null || expiresAt == null) {
            throw refused(OAuth2ErrorCodes.SERVER_ERROR, "The delegated token could not be generated");
        }
        OAuth2AccessToken accessToken = new OAuth2AccessToken(
                OAuth2AccessToken.TokenType.BEARER,
                generated.getTokenValue(),
                generated.getIssuedAt(),
                expiresAt,
                scopes);
        OAuth2Authorization delegated = OAuth2Authorization.withRegisteredClient(registered)
                .principalName(subject.getPrincipalName())
                .authorizationGrantType(AuthorizationGrantType.TOKEN_EXCHANGE)
                .authorizedScopes(scopes)
                .attribute(Principal.class.getName(), person)
                .token(
                        accessToken,
                        metadata -> metadata.put(OAuth2Authorization.Token.CLAIMS_METADATA_NAME, claims.getClaims()))
                .build();
        authorizations.save(delegated);
        audit.append(AuditEvent.builder(
                        "identity.token_exchanged",
                        AuditActor.agent(clientId, agent.ownerId()),
                        new AuditTarget("person", personId))
                .agent(clientId)
                .outcome(Outcome.SUCCESS)
                .detail("onBehalfOf", personId)
                .detail("delegation", OnBehalfOf.TOKEN_EXCHANGE)
                .detail("expiresAt", expiresAt.toString())
                .build());
        return new OAuth2AccessTokenAuthenticationToken(
                registered,
                client,
                accessToken,
                null,
                Map.of(OAuth2ParameterNames.ISSUED_TOKEN_TYPE, ACCESS_TOKEN_TYPE));
    }

    private Optional<AgentView> agent(String clientId) {
        try {
            return agents.findAgentByClientId(clientId);
        } catch (RuntimeException e) {
            throw new OAuth2AuthenticationException(
                    new OAuth2Error(
                            OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE,
                            "The agent registry could not be read, so no token is issued; try again",
                            null),
                    e);
        }
    }

    private static @Nullable String claim(Map<String, Object> claims, String name) {
        return claims.get(name) instanceof String value && !value.isBlank() ? value : null;
    }

    private static OAuth2AuthenticationException refused(String code, String description) {
        return new OAuth2AuthenticationException(new OAuth2Error(code, description, SPEC));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return OAuth2TokenExchangeAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
