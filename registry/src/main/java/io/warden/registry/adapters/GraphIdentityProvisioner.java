package io.warden.registry.adapters;

import com.microsoft.graph.applications.item.addpassword.AddPasswordPostRequestBody;
import com.microsoft.graph.models.Application;
import com.microsoft.graph.models.PasswordCredential;
import com.microsoft.graph.models.ReferenceCreate;
import com.microsoft.graph.models.ServicePrincipal;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.ApiException;
import io.warden.registry.AgentView;
import io.warden.registry.IdentityProvisioner;
import io.warden.registry.SecretStore;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agents' identities in Entra ID as an application with its service principal (the fallback where the
 * tenant has no Entra Agent ID). Provisioning creates the application (display name, tags
 * {@code WardenAgent} and {@code warden-agent:<agent id>}, notes naming the agent and its owner), its service
 * principal, makes the agent's owner an owner of the application and gives it a credential that expires
 * after {@code credentialLifetime}: a certificate (preferred: Entra keeps the certificate, the agent's private
 * key goes to the {@link SecretStore} as PEM) or a client secret (to the secret store). Neither is logged. A provisioning
 * that stopped half-way is picked up again: the application is found by its tag. Disabling and enabling set
 * the service principal's {@code accountEnabled}; removal deletes the application, which deletes its
 * service principal and credentials. Application permissions needed: {@code Application.ReadWrite.OwnedBy}
 * (Warden only touches applications it owns) and {@code User.Read.All} for the owner reference.
 */
public final class GraphIdentityProvisioner implements IdentityProvisioner {

    private static final Logger log = LoggerFactory.getLogger(GraphIdentityProvisioner.class);
    static final String TAG = "WardenAgent";

    private final GraphServiceClient graph;
    private final String baseUrl;
    private final SecretStore secrets;
    private final Duration secretLifetime;
    private final Clock clock;
    private final boolean certificates;

    /** Agents get client secrets. */
    public GraphIdentityProvisioner(GraphServiceClient graph, String baseUrl, SecretStore secrets, Duration secretLifetime, Clock clock) {
        this(graph, baseUrl, secrets, secretLifetime, clock, false);
    }

    /** @param certificates agents get certificate credentials (true) or client secrets (false) */
    public GraphIdentityProvisioner(GraphServiceClient graph, String baseUrl, SecretStore secrets, Duration secretLifetime, Clock clock,
            boolean certificates) {
        this.graph = graph;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.secrets = secrets;
        this.secretLifetime = secretLifetime;
        this.clock = clock;
        this.certificates = certificates;
    }

    @Override
    public String provision(AgentView agent) {
        if (agent.clientId() != null) {
            return agent.clientId();
        }
        String agentTag = "warden-agent:" + agent.id();
        var existing = graph.applications().get(request -> {
            request.queryParameters.filter = "tags/any(t:t eq '" + agentTag + "')";
            request.queryParameters.select = new String[] {"id", "appId"};
        });
        Application application;
        if (existing != null && existing.getValue() != null && !existing.getValue().isEmpty()) {
            application = existing.getValue().getFirst();
        } else {
            Application draft = new Application();
            draft.setDisplayName(agent.name());
            draft.setTags(List.of(TAG, agentTag));
            draft.setNotes("Warden agent " + agent.id() + " owned by " + agent.ownerId() + "; managed by Warden, do not edit");
            application = graph.applications().post(draft);
        }
        ServicePrincipal principal = new ServicePrincipal();
        principal.setAppId(application.getAppId());
        principal.setTags(List.of(TAG, agentTag));
        try {
            graph.servicePrincipals().post(principal);
        } catch (ApiException e) {
            if (e.getResponseStatusCode() != 409) { // 409: created by an earlier attempt
                throw e;
            }
        }
        ReferenceCreate owner = new ReferenceCreate();
        owner.setOdataId(baseUrl + "/directoryObjects/" + agent.ownerId());
        try {
            graph.applications().byApplicationId(application.getId()).owners().ref().post(owner);
        } catch (ApiException e) {
            if (e.getResponseStatusCode() != 400) { // 400: already an owner
                throw e;
            }
        }
        if (certificates) {
            java.time.Instant now = clock.instant();
            AgentCertificates.Issued issued = AgentCertificates.issue("warden-agent-" + agent.id(), now.minusSeconds(60),
                    now.plus(secretLifetime));
            com.microsoft.graph.models.KeyCredential key = new com.microsoft.graph.models.KeyCredential();
            key.setType("AsymmetricX509Cert");
            key.setUsage("Verify");
            key.setDisplayName("CN=warden-agent-" + agent.id());
            key.setKey(issued.der());
            key.setStartDateTime(OffsetDateTime.ofInstant(now.minusSeconds(60), ZoneOffset.UTC));
            key.setEndDateTime(OffsetDateTime.ofInstant(now.plus(secretLifetime), ZoneOffset.UTC));
            Application change = new Application();
            change.setKeyCredentials(List.of(key));
            graph.applications().byApplicationId(application.getId()).patch(change);
            secrets.put(application.getAppId(), issued.pem());
            log.info("Provisioned the Entra application {} for agent {} with a certificate valid until {}", application.getAppId(),
                    agent.id(), issued.certificate().getNotAfter().toInstant());
            return application.getAppId();
        }
        AddPasswordPostRequestBody body = new AddPasswordPostRequestBody();
        PasswordCredential credential = new PasswordCredential();
        credential.setDisplayName("warden");
        credential.setEndDateTime(OffsetDateTime.ofInstant(clock.instant().plus(secretLifetime), ZoneOffset.UTC));
        body.setPasswordCredential(credential);
        PasswordCredential issued = graph.applications().byApplicationId(application.getId()).addPassword().post(body);
        secrets.put(application.getAppId(), issued.getSecretText());
        log.info("Provisioned the Entra application {} for agent {}; its secret expires {}", application.getAppId(), agent.id(),
                issued.getEndDateTime());
        return application.getAppId();
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
        ServicePrincipal change = new ServicePrincipal();
        change.setAccountEnabled(enabled);
        graph.servicePrincipalsWithAppId(agent.clientId()).patch(change);
    }

    @Override
    public void remove(AgentView agent) {
        try {
            graph.applicationsWithAppId(agent.clientId()).delete();
        } catch (ApiException e) {
            if (e.getResponseStatusCode() != 404) {
                throw e;
            }
        }
        secrets.delete(agent.clientId());
    }
}
