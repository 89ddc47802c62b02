package io.warden.app.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * The embedded provider's client for an agent: client credentials only, the gateway scope, short-lived tokens;
 * a secret, or a client assertion signed with a registered certificate's key.
 */
public final class AgentClients {

    private AgentClients() {}

    public static RegisteredClient client(
            String clientId, String name, String secret, PasswordEncoder encoder, Duration tokenTtl) {
        return RegisteredClient.withId(UUID.nameUUIDFromBytes(("agent:" + clientId).getBytes(StandardCharsets.UTF_8))
                        .toString())
                .clientId(clientId)
                .clientName(name)
                .clientSecret(encoder.encode(secret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                // accepted only with a certificate registered for the agent (see LedgerCertificates)
                .clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scope("warden.gateway")
                .tokenSettings(
                        TokenSettings.builder().accessTokenTimeToLive(tokenTtl).build())
                .build();
    }
}
