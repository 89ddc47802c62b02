package io.warden.app;

import io.warden.registry.IdentityProvisioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/** The identity-provisioner contract for the embedded OpenID provider: clients that the token endpoint serves or refuses. */
class EmbeddedProvisionerContractTests extends IntegrationTest implements IdentityProvisionerContract {

    @Autowired
    IdentityProvisioner provisioner;

    @Autowired
    RegisteredClientRepository clients;

    @Override
    public IdentityProvisioner provisioner() {
        return provisioner;
    }

    @Override
    public boolean exists(String clientId) {
        return clients.findByClientId(clientId) != null;
    }

    @Override
    public boolean enabled(String clientId) {
        String secret = storedSecret(clientId);
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return client.send(client.request("/oauth2/token")
                                .header("Authorization", "Basic " + basic)
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")))
                        .status()
                == 200;
    }

    @Override
    public @Nullable String storedSecret(String clientId) {
        Path file = DATA.resolve("secrets").resolve(clientId + ".secret");
        try {
            return Files.exists(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
