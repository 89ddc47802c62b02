package io.warden.registry.adapters;

import com.microsoft.graph.models.AgentIdentity;
import com.microsoft.graph.models.ServicePrincipal;
import com.microsoft.graph.models.ServicePrincipalCollectionResponse;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.ApiException;
import com.microsoft.kiota.HttpMethod;
import com.microsoft.kiota.RequestInformation;
import com.microsoft.kiota.serialization.Parsable;
import com.microsoft.kiota.serialization.ParsableFactory;
import io.warden.registry.AgentView;
import io.warden.registry.IdentityProvisioner;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agents' identities as Microsoft Entra Agent ID agent identities, for tenants that have it (preferred
 * there over an application per agent). Each agent gets an agent identity under the hospital's agent
 * identity blueprint, with the agent's owner as its sponsor ({@code sponsors@odata.bind}) and Warden's tags;
 * it holds no credentials (the blueprint does, so nothing goes to the secret store). Disabling and enabling
 * patch {@code accountEnabled} through the {@code microsoft.graph.agentIdentity} cast; removal deletes it
 * (an identity already gone counts as removed, so a removal delivered again succeeds).
 * The SDK has the models but no request builders for these URLs, so requests are built directly.
 * Application permissions: {@code AgentIdentity.CreateAsManager} (create, and manage the ones it created),
 * {@code AgentIdentity.EnableDisable.All}.
 */
public final class AgentIdIdentityProvisioner implements IdentityProvisioner {

    private static final Logger log = LoggerFactory.getLogger(AgentIdIdentityProvisioner.class);
    /** Kiota's error mapping: "XXX" is its key for every error status, each parsed as Graph's ODataError. */
    private static final HashMap<String, ParsableFactory<? extends Parsable>> ERRORS =
            new HashMap<>(Map.of("XXX", ODataError::createFromDiscriminatorValue));

    private final GraphServiceClient graph;
    private final String baseUrl;
    private final String blueprintId;

    public AgentIdIdentityProvisioner(GraphServiceClient graph, String baseUrl, String blueprintId) {
        this.graph = graph;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.blueprintId = blueprintId;
    }

    @Override
    public String provision(AgentView agent) {
        if (agent.clientId() != null) {
            return agent.clientId();
        }
        String agentTag = "warden-agent:" + agent.id();
        ServicePrincipal existing = find("tags/any(t:t eq '" + agentTag + "')");
        if (existing != null) {
            return clientId(existing);
        }
        AgentIdentity identity = new AgentIdentity();
        identity.setDisplayName(agent.name());
        identity.setAgentIdentityBlueprintId(blueprintId);
        identity.setTags(List.of(GraphIdentityProvisioner.TAG, agentTag));
        identity.getAdditionalData().put("sponsors@odata.bind", List.of(baseUrl + "/users/" + agent.ownerId()));
        RequestInformation request = request(HttpMethod.POST, "/servicePrincipals/microsoft.graph.agentIdentity");
        request.setContentFromParsable(graph.getRequestAdapter(), "application/json", identity);
        AgentIdentity created = GraphValues.required(
                graph.getRequestAdapter().send(request, ERRORS, AgentIdentity::createFromDiscriminatorValue),
                "agent identity");
        log.info("Provisioned the Entra agent identity {} for agent {}", created.getId(), agent.id());
        return clientId(created);
    }

    @Override
    public void disable(AgentView agent) {
        setEnabled(agent, false);
    }

    @Override
    public void enable(AgentView agent) {
        setEnabled(agent, true);
    }

    private void setEnabled(AgentView agent, boolean enabled) {
        AgentIdentity change = new AgentIdentity();
        change.setAccountEnabled(enabled);
        RequestInformation request =
                request(HttpMethod.PATCH, "/servicePrincipals/" + objectId(agent) + "/microsoft.graph.agentIdentity");
        request.setContentFromParsable(graph.getRequestAdapter(), "application/json", change);
        graph.getRequestAdapter().sendPrimitive(request, ERRORS, Void.class);
    }

    /** Deletes the agent identity; one that is gone already (an earlier removal, its administrators) is left gone. */
    @Override
    public void remove(AgentView agent) {
        ServicePrincipal found = find(byClientId(agent));
        if (found == null) {
            return;
        }
        try {
            graph.getRequestAdapter()
                    .sendPrimitive(
                            request(HttpMethod.DELETE, "/servicePrincipals/" + found.getId()), ERRORS, Void.class);
        } catch (ApiException e) {
            if (e.getResponseStatusCode() != 404) {
                throw e;
            }
        }
    }

    /** An agent identity's client id (what its tokens carry) is its appId; its object id otherwise. */
    private static String clientId(ServicePrincipal principal) {
        String appId = principal.getAppId();
        return appId != null ? appId : GraphValues.required(principal.getId(), "service principal id");
    }

    private String objectId(AgentView agent) {
        ServicePrincipal found = find(byClientId(agent));
        if (found == null) {
            throw new IllegalStateException(
                    "No agent identity " + agent.clientId() + " in Entra for agent " + agent.id());
        }
        return GraphValues.required(found.getId(), "service principal id");
    }

    private static String byClientId(AgentView agent) {
        return "appId eq '" + agent.clientId() + "' or id eq '" + agent.clientId() + "'";
    }

    private @Nullable ServicePrincipal find(String filter) {
        RequestInformation request = request(
                HttpMethod.GET,
                "/servicePrincipals/microsoft.graph.agentIdentity?$filter="
                        + URLEncoder.encode(filter, StandardCharsets.UTF_8).replace("+", "%20") + "&$select=id,appId");
        ServicePrincipalCollectionResponse found = graph.getRequestAdapter()
                .send(request, ERRORS, ServicePrincipalCollectionResponse::createFromDiscriminatorValue);
        return found == null || found.getValue() == null || found.getValue().isEmpty()
                ? null
                : found.getValue().getFirst();
    }

    private RequestInformation request(HttpMethod method, String path) {
        RequestInformation request = new RequestInformation();
        request.httpMethod = method;
        request.setUri(URI.create(baseUrl + path));
        request.headers.add("Accept", "application/json");
        return request;
    }
}
