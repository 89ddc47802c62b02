package io.warden.app.entra;

import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
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
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Entra ID through Microsoft Graph, switched on by configuration: {@code warden.directory.provider=graph}
 * (people, mirrored into the local table) and {@code warden.identity.provisioner=graph} (agents'
 * applications). Warden signs in with MSAL4J as its own app registration ({@code warden.graph.*}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GraphProperties.class)
@ConditionalOnExpression(
        "'${warden.directory.provider:local}' == 'graph' or '${warden.identity.provisioner:default}'.startsWith('graph')")
class GraphConfiguration {

    @Bean
    GraphServiceClient graphServiceClient(GraphProperties graph, ObjectProvider<AccessTokenProvider> tokens) {
        AccessTokenProvider provider = tokens.getIfAvailable(() -> msal(graph));
        return GraphClients.create(graph.baseUrl(), provider);
    }

    private static AccessTokenProvider msal(GraphProperties graph) {
        if (graph.authority() == null || graph.clientId() == null) {
            throw new IllegalArgumentException(
                    "Set warden.graph.authority (https://login.microsoftonline.com/<tenant-id>/) and"
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
            throw new IllegalArgumentException(
                    "Set warden.graph.certificate (preferred) or warden.graph.client-secret");
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
