package io.warden.app.entra;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Warden's own app registration in Entra ID, for Microsoft Graph, under {@code warden.graph}. Used when
 * {@code warden.directory.provider=graph}, {@code warden.identity.provisioner=graph},
 * {@code warden.notifications.teams.enabled=true} or, with {@code warden.identity.provider=external}, when
 * {@code warden.graph.client-id} is set (to learn who holds a role).
 *
 * @param baseUrl             Graph's root, {@code https://graph.microsoft.com/v1.0} (a national cloud's otherwise)
 * @param authority           {@code https://login.microsoftonline.com/<tenant-id>/}
 * @param clientId            Warden's application (client) id
 * @param clientSecret        its client secret, or
 * @param certificate         a PKCS#12 file with its certificate and private key (preferred), with
 * @param certificatePassword the file's password
 * @param scope               {@code https://graph.microsoft.com/.default}
 * @param secretLifetime      how long the client secrets Warden issues to agents last
 * @param bulkFrom            from this many people on, the directory reads the tenant by delta query
 * @param agentIdentityBlueprintId the agent identity blueprint agents are created under, with
 *                            {@code warden.identity.provisioner=graph-agent-id}
 * @param agentCredential     what agents' Entra applications get: {@code certificate} (preferred) or {@code secret}
 * @param apiAppId            the application (client) id of the app registration whose app roles are Warden's roles
 *                            (the API's), read to learn who holds a role; {@code warden.graph.client-id} when empty
 */
@ConfigurationProperties("warden.graph")
public record GraphProperties(
        @DefaultValue("https://graph.microsoft.com/v1.0") URI baseUrl,
        @Nullable URI authority,
        @Nullable String clientId,
        @Nullable String clientSecret,
        @Nullable Path certificate,
        @Nullable String certificatePassword,

        @DefaultValue("https://graph.microsoft.com/.default")
        String scope,

        @DefaultValue("P180D") Duration secretLifetime,
        @DefaultValue("50") int bulkFrom,
        @Nullable String agentIdentityBlueprintId,
        @DefaultValue("certificate") String agentCredential,
        @Nullable String apiAppId) {

    public GraphProperties {
        if (!agentCredential.equals("certificate") && !agentCredential.equals("secret")) {
            throw new IllegalArgumentException(
                    "warden.graph.agent-credential is certificate or secret, got " + agentCredential);
        }
        // application.yml passes unset environment variables as empty strings
        if (apiAppId != null && apiAppId.isBlank()) {
            apiAppId = null;
        }
    }
}
