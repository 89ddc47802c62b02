package io.warden.app.security;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.warden.audit.AuditLog;
import io.warden.registry.AgentQueries;
import io.warden.registry.CredentialLedger;
import io.warden.registry.CredentialPolicy;
import io.warden.registry.IdentityProvisioner;
import io.warden.registry.SecretStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenExchangeAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Warden's default issuer: Spring Authorization Server in the same application, with OIDC, the
 * authorization-code flow (with PKCE) for people and client credentials for agents. Clients, issued
 * authorizations and the signing key live in PostgreSQL, so tokens survive restarts and replicas agree.
 * Its access tokens have the shape of Entra ID v2 tokens ({@code aud}, {@code azp}, {@code oid},
 * {@code tid}, {@code roles}, {@code scp}, {@code idtyp}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "warden.identity.provider", havingValue = "embedded", matchIfMissing = true)
class EmbeddedIdentityProvider {

    /** The public client of the command line and API tools: authorization code with PKCE, no secret. */
    static final String CLI_CLIENT_ID = "warden-cli";

    static final String CLI_REDIRECT_URI = "http://127.0.0.1/callback";
    static final String API_SCOPE = "warden.api";
    /** The portal signs people in as an OpenID client of this provider: authorization code with PKCE, no secret. */
    static final String PORTAL_CLIENT_ID = "warden-portal";

    @Bean
    @Order(1)
    SecurityFilterChain authorizationServerSecurity(
            HttpSecurity http,
            AgentQueries agents,
            CredentialLedger ledger,
            RegisteredClientRepository registeredClients,
            PasswordEncoder encoder,
            OAuth2AuthorizationService authorizations,
            AuditLog audit,
            Clock clock)
            throws Exception {
        OAuth2AuthorizationServerConfigurer authorizationServer = new OAuth2AuthorizationServerConfigurer();
        // the generator the server builds for itself (with the Entra-shaped claims), read once it has been built
        Supplier<OAuth2TokenGenerator<? extends OAuth2Token>> tokens =
                () -> Objects.requireNonNull(http.getSharedObject(OAuth2TokenGenerator.class), "token generator");
        http.securityMatcher(authorizationServer.getEndpointsMatcher())
                .with(
                        authorizationServer,
                        server -> server.oidc(Customizer.withDefaults())
                                // a suspended or retired agent is refused here at once, whatever state its identity is
                                // in
                                .clientAuthentication(clients -> clients.authenticationProviders(
                                                providers -> providers.replaceAll(provider -> new ActiveAgentsOnly(
                                                        checkedAgainstLedger(
                                                                provider, ledger, registeredClients, encoder, clock),
                                                        agents)))
                                        .errorResponseHandler(ActiveAgentsOnly.errorResponses()))
                                // token exchange is delegation by an agent only (see PersonTokenExchange)
                                .tokenEndpoint(endpoint -> endpoint.authenticationProviders(providers -> {
                                            providers.removeIf(provider ->
                                                    provider instanceof OAuth2TokenExchangeAuthenticationProvider);
                                            providers.add(new PersonTokenExchange(
                                                    authorizations, tokens, agents, audit, clock));
                                        })
                                        .errorResponseHandler(ActiveAgentsOnly.errorResponses())))
                .authorizeHttpRequests(rules -> rules.anyRequest().authenticated())
                .csrf(csrf -> csrf.ignoringRequestMatchers(authorizationServer.getEndpointsMatcher()))
                // Browsers are sent to the sign-in page; token requests keep their OAuth2 errors.
                .exceptionHandling(errors -> errors.defaultAuthenticationEntryPointFor(
                        new LoginUrlAuthenticationEntryPoint("/login"),
                        new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
        return http.build();
    }

    /**
     * Agents' secrets and certificates are checked against the credential ledger: secrets within their
     * lifetime or overlap, certificates registered for the client and within their dates.
     */
    private static AuthenticationProvider checkedAgainstLedger(
            AuthenticationProvider provider,
            CredentialLedger ledger,
            RegisteredClientRepository clients,
            PasswordEncoder encoder,
            Clock clock) {
        if (provider instanceof ClientSecretAuthenticationProvider) {
            return new LedgerClientSecrets(provider, clients, ledger, encoder, clock);
        }
        if (provider instanceof JwtClientAssertionAuthenticationProvider assertions) {
            assertions.setJwtDecoderFactory(new LedgerCertificates(ledger, clock));
        }
        return provider;
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings(IdentityProperties identity) {
        return AuthorizationServerSettings.builder()
                .issuer(identity.issuer().toString())
                .build();
    }

    @Bean
    RegisteredClientRepository registeredClientRepository(JdbcOperations jdbc) {
        return new JdbcRegisteredClientRepository(jdbc);
    }

    /** Issued authorizations with their token values hashed (see {@link HashedTokenAuthorizationService}). */
    @Bean
    OAuth2AuthorizationService authorizationService(JdbcOperations jdbc, RegisteredClientRepository clients) {
        return new HashedTokenAuthorizationService(new JdbcOAuth2AuthorizationService(jdbc, clients));
    }

    @Bean
    ExpiredAuthorizations expiredAuthorizations(JdbcClient jdbc, IdentityProperties identity, Clock clock) {
        return new ExpiredAuthorizations(jdbc, identity.authorizationPurgeGrace(), clock);
    }

    /** Seals the signing key in the database; configured, or generated owner-only into the data folder. */
    @Bean
    KeyEncryptionKey identityKeyEncryptionKey(IdentityProperties identity) {
        return KeyEncryptionKey.from(identity, new SecureRandom());
    }

    /** Agents' identities as clients of this provider, unless {@code warden.identity.provisioner} names another. */
    @Bean
    @ConditionalOnProperty(name = "warden.identity.provisioner", havingValue = "default", matchIfMissing = true)
    IdentityProvisioner identityProvisioner(
            RegisteredClientRepository clients,
            PasswordEncoder encoder,
            JdbcClient jdbc,
            IdentityProperties identity,
            SecretStore secrets,
            CredentialLedger ledger,
            CredentialPolicy policy,
            Clock clock) {
        return new EmbeddedIdentityProvisioner(
                clients, encoder, jdbc, secrets, ledger, identity.tokenTtl(), policy.secretLifetime(), clock);
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    LocalAccounts localAccounts(JdbcClient jdbc) {
        return new LocalAccounts(jdbc);
    }

    @Bean
    JWKSource<SecurityContext> jwkSource(
            JdbcClient jdbc, TransactionTemplate transactions, KeyEncryptionKey identityKeyEncryptionKey, Clock clock) {
        JWKSet keys = new SigningKeys(jdbc, transactions, identityKeyEncryptionKey, clock).load();
        return new ImmutableJWKSet<>(keys);
    }

    /** Verifies the provider's own tokens locally: signature, time, issuer and audience. */
    @Bean
    JwtDecoder jwtDecoder(JWKSource<SecurityContext> keys, IdentityProperties identity, Clock clock) {
        NimbusJwtDecoder decoder = (NimbusJwtDecoder) OAuth2AuthorizationServerConfiguration.jwtDecoder(keys);
        decoder.setJwtValidator(validator(identity));
        return cached(decoder, identity, clock);
    }

    /** The decoder behind a cache of verified tokens (see {@link VerifiedTokenCache}), when one is configured. */
    static JwtDecoder cached(JwtDecoder decoder, IdentityProperties identity, Clock clock) {
        if (identity.verifiedTokenCache().isZero()) {
            return decoder;
        }
        return new VerifiedTokenCache(decoder, validator(identity), identity.verifiedTokenCache(), 10_000, clock);
    }

    /** The portal's registration with this provider (with Entra, Spring Boot's {@code spring.security.oauth2.client} properties). */
    @Bean
    ClientRegistrationRepository portalClientRegistration(IdentityProperties identity) {
        String issuer = identity.issuer().toString();
        return new InMemoryClientRegistrationRepository(ClientRegistration.withRegistrationId("warden")
                .clientId(PORTAL_CLIENT_ID)
                .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
                .scope(OidcScopes.OPENID, OidcScopes.PROFILE)
                .authorizationUri(issuer + "/oauth2/authorize")
                .tokenUri(issuer + "/oauth2/token")
                .jwkSetUri(issuer + "/oauth2/jwks")
                .issuerUri(issuer)
                .userNameAttributeName("sub")
                .clientName("Warden")
                .build());
    }

    static OAuth2TokenValidator<Jwt> validator(IdentityProperties identity) {
        return new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithIssuer(identity.issuer().toString()),
                new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(identity.audience())));
    }

    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> entraShapedClaims(IdentityProperties identity, LocalAccounts accounts) {
        return context -> {
            if (OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
                // the portal's sign-in: who the person is and their roles, as Entra's ID tokens carry them
                accounts.find(context.getPrincipal().getName()).ifPresent(account -> {
                    context.getClaims().claim("oid", account.directoryId());
                    context.getClaims().claim("tid", identity.tenantId());
                    context.getClaims().claim("name", account.displayName());
                    context.getClaims().claim("preferred_username", account.username());
                    context.getClaims()
                            .claim(
                                    "roles",
                                    storable(account.roles().stream()
                                            .map(identity::claimValue)
                                            .toList()));
                });
                return;
            }
            if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
                return;
            }
            RegisteredClient client = context.getRegisteredClient();
            var claims = context.getClaims();
            claims.audience(storable(List.of(identity.audience())));
            claims.claim("azp", client.getClientId());
            claims.claim("tid", identity.tenantId());
            claims.claim("ver", "2.0");
            if (AuthorizationGrantType.TOKEN_EXCHANGE.equals(context.getAuthorizationGrantType())) {
                delegatedClaims(context, client, accounts);
                return;
            }
            if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
                claims.claim("oid", client.getId());
                claims.claim("idtyp", "app");
                return;
            }
            LocalAccounts.Account account = accounts.find(context.getPrincipal().getName())
                    .orElseThrow(() -> new IllegalStateException("signed-in person has no local account"));
            claims.subject(account.directoryId());
            claims.claim("oid", account.directoryId());
            claims.claim("name", account.displayName());
            claims.claim("preferred_username", account.username());
            claims.claim(
                    "roles",
                    storable(account.roles().stream().map(identity::claimValue).toList()));
            claims.claim("scp", String.join(" ", context.getAuthorizedScopes()));
        };
    }

    /**
     * The token an agent gets by exchanging a person's (see {@link PersonTokenExchange}): the person as subject
     * ({@code sub} and {@code oid}, as in the person's own tokens), the agent as actor ({@code act.sub}, RFC 8693 §4.1)
     * and authorized party, the agent's gateway scope, and no roles: it never speaks as the person to the control
     * plane. It expires with the person's token when that comes first.
     */
    private static void delegatedClaims(JwtEncodingContext context, RegisteredClient client, LocalAccounts accounts) {
        var claims = context.getClaims();
        LocalAccounts.Account account = accounts.find(context.getPrincipal().getName())
                .orElseThrow(() -> new IllegalStateException("the delegating person has no local account"));
        claims.subject(account.directoryId());
        claims.claim("oid", account.directoryId());
        claims.claim("name", account.displayName());
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("sub", client.getClientId());
        claims.claim("act", actor);
        claims.claim("scp", String.join(" ", context.getAuthorizedScopes()));
        OAuth2Authorization subject = context.getAuthorization();
        OAuth2Authorization.Token<OAuth2AccessToken> personToken = subject == null ? null : subject.getAccessToken();
        Instant personExpiry =
                personToken == null ? null : personToken.getToken().getExpiresAt();
        claims.claims(all -> {
            if (personExpiry != null && all.get("exp") instanceof Instant exp && personExpiry.isBefore(exp)) {
                all.put("exp", personExpiry);
            }
        });
    }

    /**
     * A claim's list as the authorization store can read it back: the JDBC store keeps the token's claims as JSON
     * with their Java types, and reading refuses the JDK's immutable lists (not on Spring Security's allow-list),
     * which made introspection and revocation of the provider's own tokens fail with a 500.
     */
    static List<String> storable(List<String> values) {
        return new ArrayList<>(values);
    }

    /** Registers the command-line client on every start (it carries no secret, so there is nothing to leak). */
    @Bean
    ApplicationRunner registerCliClient(RegisteredClientRepository clients, IdentityProperties identity) {
        return args -> {
            if (clients.findByClientId(PORTAL_CLIENT_ID) == null) {
                clients.save(RegisteredClient.withId(
                                UUID.nameUUIDFromBytes(PORTAL_CLIENT_ID.getBytes(StandardCharsets.UTF_8))
                                        .toString())
                        .clientId(PORTAL_CLIENT_ID)
                        .clientName("Warden portal")
                        .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                        .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                        .redirectUri(identity.issuer() + "/login/oauth2/code/warden")
                        .scope(OidcScopes.OPENID)
                        .scope(OidcScopes.PROFILE)
                        .clientSettings(ClientSettings.builder()
                                .requireProofKey(true)
                                .requireAuthorizationConsent(false)
                                .build())
                        .build());
            }
            if (clients.findByClientId(CLI_CLIENT_ID) != null) {
                return;
            }
            clients.save(RegisteredClient.withId(UUID.nameUUIDFromBytes(CLI_CLIENT_ID.getBytes(StandardCharsets.UTF_8))
                            .toString())
                    .clientId(CLI_CLIENT_ID)
                    .clientName("Warden command line and API tools")
                    .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                    .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                    .redirectUri(CLI_REDIRECT_URI)
                    .scope(OidcScopes.OPENID)
                    .scope(OidcScopes.PROFILE)
                    .scope(API_SCOPE)
                    .clientSettings(ClientSettings.builder()
                            .requireProofKey(true)
                            .requireAuthorizationConsent(false)
                            .build())
                    .tokenSettings(TokenSettings.builder()
                            .accessTokenTimeToLive(identity.tokenTtl())
                            .build())
                    .build());
        };
    }
}
