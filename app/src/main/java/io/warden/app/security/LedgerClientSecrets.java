package io.warden.app.security;

import io.warden.registry.AgentCredential;
import io.warden.registry.CredentialKind;
import io.warden.registry.CredentialLedger;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * Client-secret authentication (basic and post) for agents' clients, checked against the credential ledger:
 * a secret is accepted while it is within its lifetime and, once replaced by a rotation, until its overlap
 * ends — so the old and the new secret both work during the overlap, and neither after it lapses or is
 * revoked. A disabled client ({@code client_secret_expires_at} in the past) is refused whichever secret it
 * presents. Clients the ledger holds nothing for (the portal, the command-line tools, clients older than the
 * ledger) go to Spring Authorization Server's own provider unchanged. Thread-safe.
 */
final class LedgerClientSecrets implements AuthenticationProvider {

    private static final String ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc6749#section-3.2.1";

    private final AuthenticationProvider delegate;
    private final RegisteredClientRepository clients;
    private final CredentialLedger ledger;
    private final PasswordEncoder encoder;
    private final Clock clock;

    LedgerClientSecrets(
            AuthenticationProvider delegate,
            RegisteredClientRepository clients,
            CredentialLedger ledger,
            PasswordEncoder encoder,
            Clock clock) {
        this.delegate = delegate;
        this.clients = clients;
        this.ledger = ledger;
        this.encoder = encoder;
        this.clock = clock;
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) throws AuthenticationException {
        OAuth2ClientAuthenticationToken presented = (OAuth2ClientAuthenticationToken) authentication;
        ClientAuthenticationMethod method = presented.getClientAuthenticationMethod();
        if (!ClientAuthenticationMethod.CLIENT_SECRET_BASIC.equals(method)
                && !ClientAuthenticationMethod.CLIENT_SECRET_POST.equals(method)) {
            return delegate.authenticate(authentication);
        }
        String clientId = presented.getPrincipal().toString();
        if (!ledger.manages(clientId)) {
            return delegate.authenticate(authentication);
        }
        RegisteredClient client = clients.findByClientId(clientId);
        if (client == null || !client.getClientAuthenticationMethods().contains(method)) {
            throw invalid("client_id");
        }
        Instant now = clock.instant();
        if (client.getClientSecretExpiresAt() != null && !now.isBefore(client.getClientSecretExpiresAt())) {
            throw invalid("client_secret_expires_at"); // disabled: suspension, kill switch, incident
        }
        if (!(presented.getCredentials() instanceof String secret)) {
            throw invalid("credentials");
        }
        List<AgentCredential> usable = ledger.usable(clientId, now);
        for (AgentCredential credential : usable) {
            if (credential.kind() == CredentialKind.SECRET
                    && credential.verifier() != null
                    && encoder.matches(secret, credential.verifier())) {
                return new OAuth2ClientAuthenticationToken(client, method, secret);
            }
        }
        throw invalid("client_secret");
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }

    private static OAuth2AuthenticationException invalid(String parameter) {
        return new OAuth2AuthenticationException(new OAuth2Error(
                OAuth2ErrorCodes.INVALID_CLIENT, "Client authentication failed: " + parameter, ERROR_URI));
    }
}
