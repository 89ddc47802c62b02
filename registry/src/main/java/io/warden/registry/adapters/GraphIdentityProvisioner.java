package io.warden.registry.adapters;

import com.microsoft.graph.applications.item.addpassword.AddPasswordPostRequestBody;
import com.microsoft.graph.applications.item.removepassword.RemovePasswordPostRequestBody;
import com.microsoft.graph.models.Application;
import com.microsoft.graph.models.KeyCredential;
import com.microsoft.graph.models.PasswordCredential;
import com.microsoft.graph.models.ReferenceCreate;
import com.microsoft.graph.models.ServicePrincipal;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.ApiException;
import io.warden.registry.Actor;
import io.warden.registry.AgentCredential;
import io.warden.registry.AgentView;
import io.warden.registry.CredentialKind;
import io.warden.registry.CredentialLedger;
import io.warden.registry.IdentityProvisioner;
import io.warden.registry.IssuedCredential;
import io.warden.registry.SecretStore;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
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
    private static final Actor SYSTEM = Actor.system("identity");

    private final GraphServiceClient graph;
    private final String baseUrl;
    private final SecretStore secrets;
    private final Duration secretLifetime;
    private final Clock clock;
    private final boolean certificates;
    private final CredentialLedger ledger;

    /** Agents get client secrets; issued credentials are not recorded (tools and tests without a database). */
    public GraphIdentityProvisioner(
            GraphServiceClient graph, String baseUrl, SecretStore secrets, Duration secretLifetime, Clock clock) {
        this(graph, baseUrl, secrets, secretLifetime, clock, false);
    }

    /** @param certificates agents get certificate credentials (true) or client secrets (false) */
    public GraphIdentityProvisioner(
            GraphServiceClient graph,
            String baseUrl,
            SecretStore secrets,
            Duration secretLifetime,
            Clock clock,
            boolean certificates) {
        this(graph, baseUrl, secrets, secretLifetime, clock, certificates, UnrecordedCredentials.INSTANCE);
    }

    /**
     * @param ledger where each issued credential's key id and dates are recorded, so that rotation renews
     *               secrets before Entra lets them lapse and owners see what expires
     */
    public GraphIdentityProvisioner(
            GraphServiceClient graph,
            String baseUrl,
            SecretStore secrets,
            Duration secretLifetime,
            Clock clock,
            boolean certificates,
            CredentialLedger ledger) {
        this.ledger = ledger;
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
        if (existing != null
                && existing.getValue() != null
                && !existing.getValue().isEmpty()) {
            application = existing.getValue().getFirst();
        } else {
            Application draft = new Application();
            draft.setDisplayName(agent.name());
            draft.setTags(List.of(TAG, agentTag));
            draft.setNotes(
                    "Warden agent " + agent.id() + " owned by " + agent.ownerId() + "; managed by Warden, do not edit");
            application = GraphValues.required(graph.applications().post(draft), "application");
        }
        String objectId = GraphValues.required(application.getId(), "application id");
        String appId = GraphValues.required(application.getAppId(), "application appId");
        ServicePrincipal principal = new ServicePrincipal();
        principal.setAppId(appId);
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
            graph.applications().byApplicationId(objectId).owners().ref().post(owner);
        } catch (ApiException e) {
            if (e.getResponseStatusCode() != 400) { // 400: already an owner
                throw e;
            }
        }
        if (certificates) {
            Instant now = clock.instant();
            AgentCertificates.Issued issued = AgentCertificates.issue(
                    "warden-agent-" + agent.id(), now.minusSeconds(60), now.plus(secretLifetime));
            KeyCredential key = new KeyCredential();
            key.setType("AsymmetricX509Cert");
            key.setUsage("Verify");
            key.setDisplayName("CN=warden-agent-" + agent.id());
            key.setKey(issued.der());
            key.setStartDateTime(OffsetDateTime.ofInstant(now.minusSeconds(60), ZoneOffset.UTC));
            key.setEndDateTime(OffsetDateTime.ofInstant(now.plus(secretLifetime), ZoneOffset.UTC));
            Application change = new Application();
            change.setKeyCredentials(List.of(key));
            graph.applications().byApplicationId(objectId).patch(change);
            secrets.put(appId, issued.pem());
            ledger.record(agent.id(), appId, certificateRecord(issued.certificate()), SYSTEM);
            log.info(
                    "Provisioned the Entra application {} for agent {} with a certificate valid until {}",
                    appId,
                    agent.id(),
                    issued.certificate().getNotAfter().toInstant());
            return appId;
        }
        AgentCredential issued = addPassword(agent, objectId, appId);
        log.info(
                "Provisioned the Entra application {} for agent {}; its secret expires {}",
                appId,
                agent.id(),
                issued.expiresAt());
        return appId;
    }

    /** A new client secret, to the secret store and the ledger; earlier ones stay valid until revoked. */
    private AgentCredential addPassword(AgentView agent, String objectId, String appId) {
        Instant now = clock.instant();
        AddPasswordPostRequestBody body = new AddPasswordPostRequestBody();
        PasswordCredential credential = new PasswordCredential();
        credential.setDisplayName("warden");
        credential.setEndDateTime(OffsetDateTime.ofInstant(now.plus(secretLifetime), ZoneOffset.UTC));
        body.setPasswordCredential(credential);
        PasswordCredential issued = GraphValues.required(
                graph.applications().byApplicationId(objectId).addPassword().post(body), "password credential");
        secrets.put(appId, GraphValues.required(issued.getSecretText(), "secret text"));
        Instant start =
                issued.getStartDateTime() != null ? issued.getStartDateTime().toInstant() : now;
        Instant end = issued.getEndDateTime() != null ? issued.getEndDateTime().toInstant() : now.plus(secretLifetime);
        return ledger.record(
                agent.id(),
                appId,
                IssuedCredential.secret(
                        issued.getKeyId() == null ? null : issued.getKeyId().toString(),
                        null,
                        start.isBefore(end) ? start : now,
                        end),
                SYSTEM);
    }

    /**
     * A new client secret beside the current one (Entra accepts both until the old one is removed). Certificate
     * credentials are not rotated here: their expiry is shown and the owner told, and a new certificate is
     * issued by provisioning anew.
     */
    @Override
    public Optional<AgentCredential> rotate(AgentView agent) {
        String clientId = agent.clientId();
        if (certificates || clientId == null) {
            return Optional.empty();
        }
        Application application = GraphValues.required(
                graph.applicationsWithAppId(clientId)
                        .get(request -> request.queryParameters.select = new String[] {"id", "appId"}),
                "application " + clientId);
        AgentCredential issued =
                addPassword(agent, GraphValues.required(application.getId(), "application id"), clientId);
        log.info(
                "Rotated the secret of the Entra application {} for agent {}; the new one expires {}",
                agent.clientId(),
                agent.id(),
                issued.expiresAt());
        return Optional.of(issued);
    }

    @Override
    public void revoke(AgentView agent, AgentCredential credential) {
        String keyId = credential.providerKeyId();
        String clientId = agent.clientId();
        if (keyId == null || clientId == null) {
            return;
        }
        try {
            Application application = GraphValues.required(
                    graph.applicationsWithAppId(clientId)
                            .get(request -> request.queryParameters.select = new String[] {"id", "appId"}),
                    "application " + clientId);
            RemovePasswordPostRequestBody body = new RemovePasswordPostRequestBody();
            body.setKeyId(UUID.fromString(keyId));
            graph.applications()
                    .byApplicationId(GraphValues.required(application.getId(), "application id"))
                    .removePassword()
                    .post(body);
        } catch (ApiException e) {
            if (e.getResponseStatusCode() != 404) { // the application or the secret is already gone
                throw e;
            }
        }
    }

    private static IssuedCredential certificateRecord(X509Certificate certificate) {
        try {
            byte[] der = certificate.getEncoded();
            String thumbprint = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(der));
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                    + "\n-----END CERTIFICATE-----\n";
            return new IssuedCredential(
                    CredentialKind.CERTIFICATE,
                    null,
                    thumbprint,
                    null,
                    pem,
                    certificate.getNotBefore().toInstant(),
                    certificate.getNotAfter().toInstant());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The certificate just issued cannot be encoded", e);
        }
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
        graph.servicePrincipalsWithAppId(provisioned(agent)).patch(change);
    }

    @Override
    public void remove(AgentView agent) {
        String clientId = provisioned(agent);
        try {
            graph.applicationsWithAppId(clientId).delete();
        } catch (ApiException e) {
            if (e.getResponseStatusCode() != 404) {
                throw e;
            }
        }
        secrets.delete(clientId);
    }

    /** The agent's Entra application; Warden disables and removes only what it provisioned. */
    private static String provisioned(AgentView agent) {
        String clientId = agent.clientId();
        if (clientId == null) {
            throw new IllegalStateException("Agent " + agent.id() + " has no Entra application");
        }
        return clientId;
    }
}
