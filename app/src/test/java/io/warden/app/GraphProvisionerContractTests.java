package io.warden.app;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import io.warden.registry.IdentityProvisioner;
import io.warden.registry.SecretStore;
import io.warden.registry.adapters.GraphClients;
import io.warden.registry.adapters.GraphIdentityProvisioner;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The identity-provisioner contract for Entra applications through Graph, against a local fake whose state
 * is read from the requests it received (created, PATCHed accountEnabled, deleted).
 */
class GraphProvisionerContractTests implements IdentityProvisionerContract {

    WireMockServer graph;
    IdentityProvisioner provisioner;
    final Map<String, String> secrets = new ConcurrentHashMap<>();

    @BeforeEach
    void fake() {
        graph = new WireMockServer(
                wireMockConfig().dynamicPort().bindAddress("127.0.0.1").globalTemplating(true));
        graph.start();
        graph.stubFor(
                any(anyUrl())
                        .atPriority(100)
                        .willReturn(
                                aResponse()
                                        .withStatus(404)
                                        .withHeader("Content-Type", "application/json")
                                        .withBody(
                                                "{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"Resource does not exist.\"}}")));
        graph.stubFor(get(urlPathEqualTo("/v1.0/applications")).willReturn(okJson("{\"value\":[]}")));
        // each new application's appId is derived from the agent tag it carries, so each agent gets its own
        graph.stubFor(post(urlPathEqualTo("/v1.0/applications"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("""
                        {"id":"obj-{{regexExtract (jsonPath request.body '$.tags[1]') '[0-9a-f]{8}'}}",
                         "appId":"app-{{regexExtract (jsonPath request.body '$.tags[1]') '[0-9a-f]{8}'}}"}""")));
        graph.stubFor(post(urlPathEqualTo("/v1.0/servicePrincipals"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"sp\",\"appId\":\"{{jsonPath request.body '$.appId'}}\"}")));
        graph.stubFor(post(urlPathMatching("/v1.0/applications/[^/]+/owners/\\$ref"))
                .willReturn(aResponse().withStatus(204)));
        graph.stubFor(
                post(urlPathMatching("/v1.0/applications/[^/]+/addPassword"))
                        .willReturn(
                                okJson(
                                        "{\"secretText\":\"secret-{{randomValue length=16 type='ALPHANUMERIC'}}\",\"endDateTime\":\"2027-05-27T10:00:00Z\"}")));
        graph.stubFor(WireMock.patch(urlPathMatching("/v1.0/servicePrincipals\\(appId=.*\\)"))
                .willReturn(aResponse().withStatus(204)));
        graph.stubFor(WireMock.delete(urlPathMatching("/v1.0/applications\\(appId=.*\\)"))
                .willReturn(aResponse().withStatus(204)));
        var client = GraphClients.create(
                URI.create("http://127.0.0.1:" + graph.port() + "/v1.0"), new AccessTokenProvider() {
                    public String getAuthorizationToken(URI uri, @Nullable Map<String, Object> context) {
                        return "token";
                    }

                    public AllowedHostsValidator getAllowedHostsValidator() {
                        return new AllowedHostsValidator("127.0.0.1");
                    }
                });
        SecretStore store = new SecretStore() {
            public void put(String name, String secret) {
                secrets.put(name, secret);
            }

            public Optional<String> get(String name) {
                return Optional.ofNullable(secrets.get(name));
            }

            public void delete(String name) {
                secrets.remove(name);
            }
        };
        provisioner = new GraphIdentityProvisioner(
                client, "http://127.0.0.1:" + graph.port() + "/v1.0", store, Duration.ofDays(90), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        graph.stop();
    }

    @Override
    public IdentityProvisioner provisioner() {
        return provisioner;
    }

    @Override
    public boolean exists(String clientId) {
        boolean created = graph.findAll(postRequestedFor(urlPathEqualTo("/v1.0/applications"))).stream()
                .anyMatch(request -> request.getBodyAsString().contains(clientId.substring("app-".length())));
        boolean deleted = !graph.findAll(deleteRequestedFor(
                        urlPathMatching("/v1.0/applications\\(appId=('|%27)" + clientId + "('|%27)\\)")))
                .isEmpty();
        return created && !deleted;
    }

    @Override
    public boolean enabled(String clientId) {
        List<LoggedRequest> patches = graph.findAll(patchRequestedFor(
                urlPathMatching("/v1.0/servicePrincipals\\(appId=('|%27)" + clientId + "('|%27)\\)")));
        // the journal lists requests in the order they arrived: the last PATCH is the current state
        return patches.isEmpty() || patches.getLast().getBodyAsString().contains("\"accountEnabled\":true");
    }

    @Override
    public @Nullable String storedSecret(String clientId) {
        return secrets.get(clientId);
    }
}
