package io.warden.registry.adapters;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import io.warden.registry.AgentCredential;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.AgentViews;
import io.warden.registry.CredentialKind;
import io.warden.registry.DirectoryUser;
import io.warden.registry.SecretStore;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Graph adapters against a local fake of Microsoft Graph v1.0 (WireMock on 127.0.0.1 answering with
 * the documented JSON): the exact requests the Graph SDK sends for people, managers, delta queries,
 * applications, service principals, owners, credentials and accountEnabled; throttling and missing users;
 * and MSAL4J's client-credentials sign-in against a fake token endpoint.
 */
class GraphAdaptersTests {

    WireMockServer graph;
    GraphServiceClient client;
    final Map<String, String> secrets = new HashMap<>();
    final SecretStore store = new SecretStore() {
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

    @BeforeEach
    void fake() {
        graph = GraphFake.start();
        client = GraphFake.client(graph, "test-graph-token");
    }

    @AfterEach
    void stop() {
        graph.stop();
    }

    String base() {
        return GraphFake.base(graph);
    }

    @Test
    void aPersonWithTheirManagerAndAMissingOneIsAbsent() {
        graph.stubFor(get(urlPathEqualTo("/v1.0/users/u1")).willReturn(okJson("""
                {"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,displayName,mail,accountEnabled)/$entity",
                 "id":"u1","userPrincipalName":"otto@contoso.org","displayName":"Dr. Otto Owner","mail":"otto@contoso.org","accountEnabled":true}""")));
        graph.stubFor(get(urlPathEqualTo("/v1.0/users/u1/manager")).willReturn(okJson("""
                {"@odata.type":"#microsoft.graph.user","id":"m1"}""")));

        DirectoryUser otto = new GraphDirectory(client, 50).findUser("u1").orElseThrow();
        assertThat(otto)
                .isEqualTo(new DirectoryUser(
                        "u1", "otto@contoso.org", "Dr. Otto Owner", "otto@contoso.org", true, false, "m1"));
        graph.verify(getRequestedFor(urlPathEqualTo("/v1.0/users/u1"))
                .withQueryParam("$select", equalTo("id,userPrincipalName,displayName,mail,accountEnabled"))
                .withHeader("Authorization", equalTo("Bearer test-graph-token")));
        assertThat(new GraphDirectory(client, 50).findUser("gone"))
                .as("404: deleted or never there")
                .isEmpty();
    }

    @Test
    void throttlingIsRetriedAfterTheServersRetryAfter() {
        graph.stubFor(get(urlPathEqualTo("/v1.0/users/u2"))
                .inScenario("throttle")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Retry-After", "1")
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"Too many requests\"}}"))
                .willSetStateTo("throttled"));
        graph.stubFor(
                get(urlPathEqualTo("/v1.0/users/u2"))
                        .inScenario("throttle")
                        .whenScenarioStateIs("throttled")
                        .willReturn(
                                okJson(
                                        "{\"id\":\"u2\",\"userPrincipalName\":\"carla@contoso.org\",\"displayName\":\"Carla\",\"accountEnabled\":false}")));
        graph.stubFor(get(urlPathEqualTo("/v1.0/users/u2/manager"))
                .willReturn(aResponse()
                        .withStatus(404)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"no manager\"}}")));

        long started = System.nanoTime();
        DirectoryUser carla = new GraphDirectory(client, 50).findUser("u2").orElseThrow();
        assertThat(carla.active()).isFalse();
        assertThat(carla.managerId()).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("waited for Retry-After")
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));
        graph.verify(2, getRequestedFor(urlPathEqualTo("/v1.0/users/u2")));
    }

    @Test
    void manyPeopleAreReadWithADeltaQueryAndOnlyTheChangesAfterwards() {
        // the SDK calls the function as /users/delta(); the links Graph returns are followed as they are
        graph.stubFor(get(urlPathEqualTo("/v1.0/users/delta()"))
                .withQueryParam("$select", containing("accountEnabled"))
                .willReturn(okJson("""
                        {"@odata.nextLink":"%s/users/delta?$skiptoken=page2",
                         "value":[{"id":"a","userPrincipalName":"a@contoso.org","displayName":"A","accountEnabled":true},
                                  {"id":"b","userPrincipalName":"b@contoso.org","displayName":"B","accountEnabled":true}]}""".formatted(base()))));
        graph.stubFor(get(urlPathEqualTo("/v1.0/users/delta"))
                .withQueryParam("$skiptoken", equalTo("page2"))
                .willReturn(okJson("""
                {"@odata.deltaLink":"%s/users/delta?$deltatoken=first",
                 "value":[{"id":"c","userPrincipalName":"c@contoso.org","displayName":"C","accountEnabled":false}]}""".formatted(base()))));
        graph.stubFor(get(urlPathEqualTo("/v1.0/users/delta"))
                .withQueryParam("$deltatoken", equalTo("first"))
                .willReturn(okJson("""
                {"@odata.deltaLink":"%s/users/delta?$deltatoken=second",
                 "value":[{"id":"a","accountEnabled":false},{"id":"b","@removed":{"reason":"deleted"}}]}""".formatted(base()))));

        GraphDirectory directory = new GraphDirectory(client, 2);
        Map<String, DirectoryUser> first = directory.findUsers(List.of("a", "b", "c", "nobody"));
        assertThat(first).containsOnlyKeys("a", "b", "c");
        assertThat(requireNonNull(first.get("c")).active()).isFalse();
        assertThat(graph.findAll(getRequestedFor(urlPathMatching("/v1.0/users/delta(\\(\\))?"))))
                .as("two pages for the whole tenant")
                .hasSize(2);

        Map<String, DirectoryUser> second = directory.findUsers(List.of("a", "b", "c"));
        assertThat(second).as("b was deleted").containsOnlyKeys("a", "c");
        DirectoryUser a = requireNonNull(second.get("a"));
        assertThat(a.active()).as("a was disabled").isFalse();
        assertThat(a.userPrincipalName()).as("unchanged fields kept").isEqualTo("a@contoso.org");
        assertThat(graph.findAll(getRequestedFor(urlPathMatching("/v1.0/users/delta(\\(\\))?"))))
                .as("one more request: the changes")
                .hasSize(3);
    }

    @Test
    void provisioningCreatesTheApplicationPrincipalOwnerAndSecretThenDisablesAndDeletesIt() {
        graph.stubFor(get(urlPathEqualTo("/v1.0/applications")).willReturn(okJson("{\"value\":[]}")));
        graph.stubFor(post(urlPathEqualTo("/v1.0/applications"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"obj-1\",\"appId\":\"app-1\",\"displayName\":\"CT retrieval\"}")));
        graph.stubFor(post(urlPathEqualTo("/v1.0/servicePrincipals"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"sp-1\",\"appId\":\"app-1\",\"accountEnabled\":true}")));
        graph.stubFor(post(urlEqualTo("/v1.0/applications/obj-1/owners/$ref"))
                .willReturn(aResponse().withStatus(204)));
        graph.stubFor(
                post(urlPathEqualTo("/v1.0/applications/obj-1/addPassword")).willReturn(okJson("""
                {"customKeyIdentifier":null,"displayName":"warden","endDateTime":"2027-05-27T10:00:00Z","hint":"s3c",
                 "keyId":"f0b0b335-1d71-4883-8f98-567911bfdca6","secretText":"s3cr3t-from-entra","startDateTime":"2026-11-28T10:00:00Z"}""")));
        graph.stubFor(WireMock.patch(urlPathMatching("/v1.0/servicePrincipals\\(appId=('|%27)app-1('|%27)\\)"))
                .willReturn(aResponse().withStatus(204)));
        graph.stubFor(WireMock.delete(urlPathMatching("/v1.0/applications\\(appId=('|%27)app-1('|%27)\\)"))
                .willReturn(aResponse().withStatus(204)));

        Clock clock = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);
        var provisioner = new GraphIdentityProvisioner(client, base(), store, Duration.ofDays(180), clock);
        AgentView agent = agent();
        assertThat(provisioner.provision(agent)).isEqualTo("app-1");

        graph.verify(postRequestedFor(urlPathEqualTo("/v1.0/applications"))
                .withRequestBody(matchingJsonPath("$.displayName", equalTo("CT retrieval")))
                .withRequestBody(matchingJsonPath("$.tags[0]", equalTo("WardenAgent")))
                .withRequestBody(matchingJsonPath("$.tags[1]", equalTo("warden-agent:" + agent.id())))
                .withRequestBody(
                        matchingJsonPath("$.notes", containing(agent.id().toString()))));
        graph.verify(postRequestedFor(urlPathEqualTo("/v1.0/servicePrincipals"))
                .withRequestBody(matchingJsonPath("$.appId", equalTo("app-1"))));
        graph.verify(postRequestedFor(urlEqualTo("/v1.0/applications/obj-1/owners/$ref"))
                .withRequestBody(matchingJsonPath("$.['@odata.id']", equalTo(base() + "/directoryObjects/owner-1"))));
        graph.verify(postRequestedFor(urlPathEqualTo("/v1.0/applications/obj-1/addPassword"))
                .withRequestBody(matchingJsonPath("$.passwordCredential.endDateTime", containing("2027-05-27T10:00"))));
        assertThat(secrets).containsEntry("app-1", "s3cr3t-from-entra");

        AgentView provisioned = agent("app-1");
        provisioner.disable(provisioned);
        graph.verify(patchRequestedFor(urlPathMatching("/v1.0/servicePrincipals\\(appId=('|%27)app-1('|%27)\\)"))
                .withRequestBody(matchingJsonPath("$.accountEnabled", equalTo("false"))));
        provisioner.enable(provisioned);
        graph.verify(patchRequestedFor(urlPathMatching("/v1.0/servicePrincipals\\(appId=('|%27)app-1('|%27)\\)"))
                .withRequestBody(matchingJsonPath("$.accountEnabled", equalTo("true"))));
        provisioner.remove(provisioned);
        graph.verify(deleteRequestedFor(urlPathMatching("/v1.0/applications\\(appId=('|%27)app-1('|%27)\\)")));
        assertThat(secrets).doesNotContainKey("app-1");
    }

    @Test
    void agentsGetACertificateCredentialWhoseKeyOnlyTheSecretStoreHolds() throws Exception {
        graph.stubFor(get(urlPathEqualTo("/v1.0/applications")).willReturn(okJson("{\"value\":[]}")));
        graph.stubFor(post(urlPathEqualTo("/v1.0/applications"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"obj-2\",\"appId\":\"app-2\"}")));
        graph.stubFor(post(urlPathEqualTo("/v1.0/servicePrincipals"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"sp-2\",\"appId\":\"app-2\"}")));
        graph.stubFor(post(urlEqualTo("/v1.0/applications/obj-2/owners/$ref"))
                .willReturn(aResponse().withStatus(204)));
        graph.stubFor(WireMock.patch(urlPathEqualTo("/v1.0/applications/obj-2"))
                .willReturn(aResponse().withStatus(204)));
        Clock clock = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);
        var provisioner = new GraphIdentityProvisioner(client, base(), store, Duration.ofDays(180), clock, true);
        assertThat(provisioner.provision(agent())).isEqualTo("app-2");

        var patch = graph.findAll(patchRequestedFor(urlPathEqualTo("/v1.0/applications/obj-2")))
                .getFirst();
        var body = new JsonMapper()
                .readTree(patch.getBodyAsString())
                .get("keyCredentials")
                .get(0);
        assertThat(body.get("type").asString()).isEqualTo("AsymmetricX509Cert");
        assertThat(body.get("usage").asString()).isEqualTo("Verify");
        assertThat(body.get("endDateTime").asString()).startsWith("2027-05-27T10:00");
        byte[] uploaded = Base64.getDecoder().decode(body.get("key").asString());
        var certificate = (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(uploaded));
        assertThat(patch.getBodyAsString()).as("no private key leaves Warden").doesNotContain("PRIVATE");

        String pem = requireNonNull(secrets.get("app-2"), "the key pair kept for app-2");
        assertThat(pem).contains("-----BEGIN PRIVATE KEY-----", "-----BEGIN CERTIFICATE-----");
        String key = pem.substring(
                pem.indexOf("-----BEGIN PRIVATE KEY-----") + 27, pem.indexOf("-----END PRIVATE KEY-----"));
        var privateKey = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(key)));
        var signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(privateKey);
        signer.update("proof".getBytes());
        byte[] signature = signer.sign();
        var verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update("proof".getBytes());
        assertThat(verifier.verify(signature))
                .as("the stored key belongs to the uploaded certificate")
                .isTrue();
        graph.verify(0, postRequestedFor(urlPathMatching("/v1.0/applications/.*/addPassword")));
    }

    @Test
    void aProvisioningInterruptedAfterTheApplicationWasCreatedFindsItByItsTag() {
        AgentView agent = agent();
        graph.stubFor(get(urlPathEqualTo("/v1.0/applications"))
                .withQueryParam("$filter", equalTo("tags/any(t:t eq 'warden-agent:" + agent.id() + "')"))
                .willReturn(okJson("{\"value\":[{\"id\":\"obj-9\",\"appId\":\"app-9\"}]}")));
        graph.stubFor(
                post(urlPathEqualTo("/v1.0/servicePrincipals"))
                        .willReturn(
                                aResponse()
                                        .withStatus(409)
                                        .withHeader("Content-Type", "application/json")
                                        .withBody(
                                                "{\"error\":{\"code\":\"Request_MultipleObjectsWithSameKeyValue\",\"message\":\"exists\"}}")));
        graph.stubFor(post(urlEqualTo("/v1.0/applications/obj-9/owners/$ref"))
                .willReturn(aResponse().withStatus(204)));
        graph.stubFor(post(urlPathEqualTo("/v1.0/applications/obj-9/addPassword"))
                .willReturn(okJson("{\"secretText\":\"second-secret\",\"endDateTime\":\"2027-05-27T10:00:00Z\"}")));
        var provisioner = new GraphIdentityProvisioner(client, base(), store, Duration.ofDays(180), Clock.systemUTC());
        assertThat(provisioner.provision(agent)).isEqualTo("app-9");
        graph.verify(0, postRequestedFor(urlPathEqualTo("/v1.0/applications")));
        assertThat(secrets).containsEntry("app-9", "second-secret");
    }

    @Test
    void whereTheTenantHasAgentIdAnAgentIdentityIsCreatedUnderTheBlueprintWithTheOwnerAsSponsor() {
        graph.stubFor(get(urlPathEqualTo("/v1.0/servicePrincipals/microsoft.graph.agentIdentity"))
                .withQueryParam("$filter", containing("warden-agent:"))
                .willReturn(okJson("{\"value\":[]}")));
        graph.stubFor(post(urlPathEqualTo("/v1.0/servicePrincipals/microsoft.graph.agentIdentity"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("""
                        {"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
                         "@odata.type":"#microsoft.graph.agentIdentity","id":"59e617e5-e447-4adc-8b88-00af644d7c92",
                         "appId":"59e617e5-e447-4adc-8b88-00af644d7c92","displayName":"CT retrieval","servicePrincipalType":"ServiceIdentity",
                         "agentIdentityBlueprintId":"65415bb1-9267-4313-bbf5-ae259732ee12"}""")));
        graph.stubFor(
                get(urlPathEqualTo("/v1.0/servicePrincipals/microsoft.graph.agentIdentity"))
                        .withQueryParam("$filter", containing("appId eq"))
                        .willReturn(
                                okJson(
                                        "{\"value\":[{\"id\":\"59e617e5-e447-4adc-8b88-00af644d7c92\",\"appId\":\"59e617e5-e447-4adc-8b88-00af644d7c92\"}]}")));
        graph.stubFor(WireMock.patch(urlEqualTo(
                        "/v1.0/servicePrincipals/59e617e5-e447-4adc-8b88-00af644d7c92/microsoft.graph.agentIdentity"))
                .willReturn(aResponse().withStatus(204)));
        graph.stubFor(WireMock.delete(urlEqualTo("/v1.0/servicePrincipals/59e617e5-e447-4adc-8b88-00af644d7c92"))
                .willReturn(aResponse().withStatus(204)));

        var provisioner = new AgentIdIdentityProvisioner(client, base(), "65415bb1-9267-4313-bbf5-ae259732ee12");
        AgentView agent = agent();
        assertThat(provisioner.provision(agent)).isEqualTo("59e617e5-e447-4adc-8b88-00af644d7c92");
        graph.verify(postRequestedFor(urlPathEqualTo("/v1.0/servicePrincipals/microsoft.graph.agentIdentity"))
                .withRequestBody(matchingJsonPath("$.displayName", equalTo("CT retrieval")))
                .withRequestBody(
                        matchingJsonPath("$.agentIdentityBlueprintId", equalTo("65415bb1-9267-4313-bbf5-ae259732ee12")))
                .withRequestBody(matchingJsonPath("$.['sponsors@odata.bind'][0]", equalTo(base() + "/users/owner-1")))
                .withRequestBody(matchingJsonPath("$.tags[1]", equalTo("warden-agent:" + agent.id()))));
        assertThat(secrets).as("agent identities hold no credentials").isEmpty();

        AgentView provisioned = agent("59e617e5-e447-4adc-8b88-00af644d7c92");
        provisioner.disable(provisioned);
        graph.verify(patchRequestedFor(urlEqualTo(
                        "/v1.0/servicePrincipals/59e617e5-e447-4adc-8b88-00af644d7c92/microsoft.graph.agentIdentity"))
                .withRequestBody(matchingJsonPath("$.accountEnabled", equalTo("false"))));
        provisioner.remove(provisioned);
        graph.verify(deleteRequestedFor(urlEqualTo("/v1.0/servicePrincipals/59e617e5-e447-4adc-8b88-00af644d7c92")));
    }

    /**
     * Threat: an Entra client secret lapses after its lifetime and the agent stops silently, or a rotated-out
     * secret stays valid in Entra forever. Rotation adds a new password (to the secret store), keeps the old
     * one until revoked, and revocation removes exactly the old one by its key id.
     */
    @Test
    void rotationAddsANewEntraSecretBesideTheOldAndRevocationRemovesTheOldByItsKeyId() {
        graph.stubFor(get(urlPathMatching("/v1.0/applications\\(appId=('|%27)app-7('|%27)\\)"))
                .willReturn(okJson("{\"id\":\"obj-7\",\"appId\":\"app-7\"}")));
        graph.stubFor(
                post(urlPathEqualTo("/v1.0/applications/obj-7/addPassword")).willReturn(okJson("""
                {"displayName":"warden","endDateTime":"2027-05-27T10:00:00Z","keyId":"6c1f6f0e-2b8e-4a47-9d34-3c8f0b1a2d11",
                 "secretText":"rotated-s3cr3t","startDateTime":"2026-11-28T10:00:00Z"}""")));
        graph.stubFor(post(urlPathEqualTo("/v1.0/applications/obj-7/removePassword"))
                .willReturn(aResponse().withStatus(204)));
        secrets.put("app-7", "old-s3cr3t");
        Clock clock = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);
        var provisioner = new GraphIdentityProvisioner(client, base(), store, Duration.ofDays(180), clock);
        AgentView agent = agent("app-7");

        var rotated = provisioner.rotate(agent).orElseThrow();
        assertThat(rotated.providerKeyId()).isEqualTo("6c1f6f0e-2b8e-4a47-9d34-3c8f0b1a2d11");
        assertThat(rotated.expiresAt()).isEqualTo(Instant.parse("2027-05-27T10:00:00Z"));
        assertThat(secrets).containsEntry("app-7", "rotated-s3cr3t");
        graph.verify(postRequestedFor(urlPathEqualTo("/v1.0/applications/obj-7/addPassword"))
                .withRequestBody(matchingJsonPath("$.passwordCredential.endDateTime", containing("2027-05-27T10:00"))));
        graph.verify(0, postRequestedFor(urlPathEqualTo("/v1.0/applications/obj-7/removePassword")));

        var old = new AgentCredential(
                UUID.randomUUID(),
                agent.id(),
                "app-7",
                CredentialKind.SECRET,
                "0b7c5d55-8a0e-4a39-9c3e-5f2d1e0a9b77",
                null,
                null,
                null,
                Instant.parse("2026-06-01T10:00:00Z"),
                Instant.parse("2026-12-01T10:00:00Z"),
                Instant.parse("2026-06-01T10:00:00Z"),
                "system:identity",
                Instant.parse("2026-11-30T10:00:00Z"),
                null,
                null);
        provisioner.revoke(agent, old);
        graph.verify(postRequestedFor(urlPathEqualTo("/v1.0/applications/obj-7/removePassword"))
                .withRequestBody(matchingJsonPath("$.keyId", equalTo("0b7c5d55-8a0e-4a39-9c3e-5f2d1e0a9b77"))));
    }

    /** Certificate identities are not rotated by adding passwords (that would add a secret they were meant not to have). */
    @Test
    void certificateIdentitiesAreNotRotatedWithSecrets() {
        var provisioner =
                new GraphIdentityProvisioner(client, base(), store, Duration.ofDays(180), Clock.systemUTC(), true);
        assertThat(provisioner.rotate(agent("app-8"))).isEmpty();
        graph.verify(0, postRequestedFor(urlPathMatching("/v1.0/applications/.*/addPassword")));
    }

    @Test
    void removingAnIdentityThatIsAlreadyGoneSucceedsSoARetirementDeliveredAgainDoesNotFail() {
        graph.stubFor(
                WireMock.delete(urlPathMatching("/v1.0/applications\\(appId=.*\\)"))
                        .willReturn(
                                aResponse()
                                        .withStatus(404)
                                        .withHeader("Content-Type", "application/json")
                                        .withBody(
                                                "{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"Resource does not exist.\"}}")));
        secrets.put("app-gone", "left-behind");
        new GraphIdentityProvisioner(client, base(), store, Duration.ofDays(90), Clock.systemUTC())
                .remove(agent("app-gone"));
        assertThat(secrets)
                .as("the secret goes even when the application went before")
                .doesNotContainKey("app-gone");

        graph.stubFor(get(urlPathEqualTo("/v1.0/servicePrincipals/microsoft.graph.agentIdentity"))
                .withQueryParam("$filter", containing("appId eq"))
                .willReturn(okJson("{\"value\":[]}")));
        new AgentIdIdentityProvisioner(client, base(), "65415bb1-9267-4313-bbf5-ae259732ee12")
                .remove(agent("identity-gone"));
        graph.verify(0, deleteRequestedFor(urlPathMatching("/v1.0/servicePrincipals/.*")));
    }

    @Test
    void msalSignsInWithClientCredentialsAndGraphCallsCarryItsToken() {
        graph.stubFor(post(urlPathEqualTo("/tenant-1/oauth2/v2.0/token")).willReturn(okJson("""
                {"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"msal-issued-token"}""")));
        graph.stubFor(get(urlPathEqualTo("/v1.0/users/u3"))
                .willReturn(
                        okJson("{\"id\":\"u3\",\"userPrincipalName\":\"sam@contoso.org\",\"accountEnabled\":true}")));
        graph.stubFor(get(urlPathEqualTo("/v1.0/users/u3/manager"))
                .willReturn(okJson("{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"m3\"}")));
        var tokens = new MsalAccessTokenProvider(
                URI.create("https://login.test/tenant-1/"),
                "warden-client",
                MsalAccessTokenProvider.secret("warden-graph-secret"),
                "https://graph.microsoft.com/.default",
                "127.0.0.1",
                toFake(graph.port()));
        GraphServiceClient signedIn = GraphClients.create(URI.create(base()), tokens);
        assertThat(new GraphDirectory(signedIn, 50).findUser("u3")).isPresent();

        graph.verify(postRequestedFor(urlPathEqualTo("/tenant-1/oauth2/v2.0/token"))
                .withRequestBody(containing("grant_type=client_credentials"))
                .withRequestBody(containing("client_id=warden-client"))
                .withRequestBody(containing("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default")));
        graph.verify(getRequestedFor(urlPathEqualTo("/v1.0/users/u3"))
                .withHeader("Authorization", equalTo("Bearer msal-issued-token")));
        assertThat(tokens.getAuthorizationToken(URI.create("https://elsewhere.example/v1.0/users"), Map.of()))
                .as("no token for other hosts")
                .isEmpty();
    }

    @Test
    void aFailedSignInNamesTheFailureButNotTheCredential() {
        graph.stubFor(
                post(urlPathEqualTo("/tenant-1/oauth2/v2.0/token"))
                        .willReturn(
                                aResponse()
                                        .withStatus(401)
                                        .withHeader("Content-Type", "application/json")
                                        .withBody(
                                                "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret provided.\"}")));
        var tokens = new MsalAccessTokenProvider(
                URI.create("https://login.test/tenant-1/"),
                "warden-client",
                MsalAccessTokenProvider.secret("wrong-secret-value"),
                "https://graph.microsoft.com/.default",
                "127.0.0.1",
                toFake(graph.port()));
        assertThatThrownBy(() -> tokens.getAuthorizationToken(URI.create(base() + "/users"), Map.of()))
                .hasMessageContaining("Could not sign in to Microsoft Graph")
                .hasMessageContaining("AADSTS7000215")
                .hasMessageNotContaining("wrong-secret-value");
    }

    /** MSAL's HTTP client, sending what it addresses to https://login.test to the local fake instead. */
    static IHttpClient toFake(int port) {
        HttpClient http = HttpClient.newHttpClient();
        return request -> {
            URI target = URI.create(request.url().toString().replace("https://login.test", "http://127.0.0.1:" + port));
            HttpRequest.Builder builder = HttpRequest.newBuilder(target);
            request.headers().forEach((name, value) -> {
                if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Host")) {
                    builder.header(name, value);
                }
            });
            builder.method(
                    request.httpMethod().name(),
                    request.body() == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(request.body()));
            var response = http.send(builder.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            HttpResponse answer = new HttpResponse();
            answer.statusCode(response.statusCode());
            answer.body(response.body());
            answer.addHeaders(response.headers().map());
            return answer;
        };
    }

    /** An agent not provisioned yet. */
    static AgentView agent() {
        return AgentViews.anAgent()
                .withName("CT retrieval")
                .withPurpose("p")
                .withStatus(AgentStatus.PENDING_APPROVAL)
                .build();
    }

    static AgentView agent(String clientId) {
        return AgentViews.from(agent()).withClientId(clientId).build();
    }
}
