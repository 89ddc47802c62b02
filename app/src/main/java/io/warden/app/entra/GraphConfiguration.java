package io.warden.app.entra;

import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import io.warden.app.security.IdentityProperties;
import io.warden.lifecycle.RoleMembers;
import io.warden.registry.CredentialLedger;
import io.warden.registry.Directory;
import io.warden.registry.IdentityProvisioner;
import io.warden.registry.SecretStore;
import io.warden.registry.adapters.AgentIdIdentityProvisioner;
import io.warden.registry.adapters.GraphClients;
import io.warden.registry.adapters.GraphDirectory;
import io.warden.registry.adapters.GraphIdentityProvisioner;
import io.warden.registry.adapters.MirroredDirectory;
import io.warden.registry.adapters.MsalAccessTokenProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Entra ID through Microsoft Graph, switched on by configuration: {@code warden.directory.provider=graph}
 * (people, mirrored into the local table), {@code warden.identity.provisioner=graph} (agents' applications),
 * {@code warden.notifications.teams.enabled=true} (notices in Teams) and, with Entra signing people in
 * ({@code warden.identity.provider=external} and {@code warden.graph.client-id}), who holds a role. Warden signs in
 * with MSAL4J as its own app registration ({@code warden.graph.*}); a start without its credentials is refused with
 * the settings that asked for Graph.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GraphProperties.class)
@ConditionalOnExpression("'${warden.directory.provider:local}' == 'graph'"
        + " or '${warden.identity.provisioner:default}'.startsWith('graph')"
        + " or '${warden.notifications.teams.enabled:false}'.equalsIgnoreCase('true')"
        + " or ('${warden.identity.provider:embedded}'.equalsIgnoreCase('external')"
        + " and !'${warden.graph.client-id:}'.isBlank())")
class GraphConfiguration {

    @Bean
    GraphServiceClient graphServiceClient(
            GraphProperties graph, ObjectProvider<AccessTokenProvider> tokens, Environment environment) {
        AccessTokenProvider provider = tokens.getIfAvailable(() -> msal(graph, neededBy(environment)));
        return GraphClients.create(graph.baseUrl(), provider);
    }

    /** The settings that asked for Graph, so that a start refused for want of credentials says why it needed them. */
    static String neededBy(Environment environment) {
        List<String> settings = new ArrayList<>();
        if ("graph".equals(environment.getProperty("warden.directory.provider"))) {
            settings.add("warden.directory.provider=graph");
        }
        String provisioner = environment.getProperty("warden.identity.provisioner", "default");
        if (provisioner.startsWith("graph")) {
            settings.add("warden.identity.provisioner=" + provisioner);
        }
        if ("true".equalsIgnoreCase(environment.getProperty("warden.notifications.teams.enabled"))) {
            settings.add("warden.notifications.teams.enabled=true");
        }
        if ("external".equalsIgnoreCase(environment.getProperty("warden.identity.provider"))) {
            settings.add("warden.identity.provider=external");
        }
        return String.join(", ", settings);
    }

    private static AccessTokenProvider msal(GraphProperties graph, String neededBy) {
        if (graph.authority() == null || graph.clientId() == null) {
            throw new IllegalArgumentException("Microsoft Graph is needed (" + neededBy + "): set"
                    + " warden.graph.authority (https://login.microsoftonline.com/<tenant-id>/) and"
                    + " warden.graph.client-id for Warden's app registration");
        }
        IClientCredential credential;
        if (graph.certificate() != null) {
            try (InputStream in = Files.newInputStream(graph.certificate())) {
                credential = MsalAccessTokenProvider.certificate(
                        in, graph.certificatePassword() == null ? "" : graph.certificatePassword());
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "warden.graph.certificate " + graph.certificate() + " could not be read", e);
            }
        } else if (graph.clientSecret() != null) {
            credential = MsalAccessTokenProvider.secret(graph.clientSecret());
        } else {
            throw new IllegalArgumentException("Microsoft Graph is needed (" + neededBy + "): set"
                    + " warden.graph.certificate (preferred) or warden.graph.client-secret");
        }
        return new MsalAccessTokenProvider(
                graph.authority(),
                graph.clientId(),
                credential,
                graph.scope(),
                graph.baseUrl().getHost(),
                null);
    }

    @Bean
    @ConditionalOnProperty(name = "warden.directory.provider", havingValue = "graph")
    Directory graphDirectory(GraphServiceClient client, GraphProperties graph, JdbcClient jdbc, Clock clock) {
        return new MirroredDirectory(new GraphDirectory(client, graph.bulkFrom()), jdbc, clock);
    }

    /**
     * With Entra ID signing people in, its app role assignments say who holds a Warden role, so that a role's
     * notices reach them.
     */
    @Bean
    @ConditionalOnProperty(name = "warden.identity.provider", havingValue = "external")
    RoleMembers graphRoleMembers(
            GraphServiceClient client, GraphProperties graph, IdentityProperties identity, Directory directory) {
        String apiAppId = graph.apiAppId() != null ? graph.apiAppId() : graph.clientId();
        if (apiAppId == null) {
            throw new IllegalArgumentException("With warden.identity.provider=external and Microsoft Graph, set"
                    + " warden.graph.api-app-id (or warden.graph.client-id) to the application id whose app roles"
                    + " are Warden's roles");
        }
        return new GraphRoleMembers(client, apiAppId, identity::claimValue, directory);
    }

    /** Entra Agent ID: an agent identity per agent under the configured blueprint (tenants that have it). */
    @Bean
    @ConditionalOnProperty(name = "warden.identity.provisioner", havingValue = "graph-agent-id")
    IdentityProvisioner agentIdIdentityProvisioner(GraphServiceClient client, GraphProperties graph) {
        if (graph.agentIdentityBlueprintId() == null) {
            throw new IllegalArgumentException(
                    "Set warden.graph.agent-identity-blueprint-id to the agent identity blueprint's id");
        }
        return new AgentIdIdentityProvisioner(client, graph.baseUrl().toString(), graph.agentIdentityBlueprintId());
    }

    /** An Entra application and service principal per agent (every tenant). */
    @Bean
    @ConditionalOnProperty(name = "warden.identity.provisioner", havingValue = "graph")
    IdentityProvisioner graphIdentityProvisioner(
            GraphServiceClient client,
            GraphProperties graph,
            SecretStore secrets,
            Clock clock,
            CredentialLedger ledger) {
        return new GraphIdentityProvisioner(
                client,
                graph.baseUrl().toString(),
                secrets,
                graph.secretLifetime(),
                clock,
                graph.agentCredential().equals("certificate"),
                ledger);
    }
}
