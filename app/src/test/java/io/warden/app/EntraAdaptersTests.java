package io.warden.app;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import io.warden.WardenApplication;
import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.WorkflowEngine;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Warden with Entra ID switched on by configuration only ({@code warden.directory.provider=graph},
 * {@code warden.identity.provisioner=graph}), against a local fake of Microsoft Graph: onboarding creates
 * the agent's Entra application; its kill switch disables the service principal through the port; an
 * owner disabled in Entra starts the orphan flow; the issued secret is in the secret store and in no log
 * or audit record. (Warden's own sign-in to Graph with MSAL4J is tested in the registry's adapter tests;
 * here a fixed Graph token stands in for it.)
 */
@SpringBootTest(classes = WardenApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@ExtendWith(OutputCaptureExtension.class)
@Import(EntraAdaptersTests.FixedGraphToken.class)
class EntraAdaptersTests {

    static final String SECRET = "entra-issued-s3cr3t-9f2c";
    static final String GRAPH_TOKEN = "graph-token-7d1e";
    static final String OWNER = "e5c1a7d2-0000-4000-8000-00000000e001";
    static final WireMockServer GRAPH = graph();
    static final int PORT = IntegrationTest.freePort();
    static final Path DATA = IntegrationTest.tempDir();
    static final WardenClient client = new WardenClient("http://localhost:" + PORT);

    @Autowired
    WorkflowEngine engine;

    @Autowired
    JdbcClient jdbc;

    @TestConfiguration
    static class FixedGraphToken {
        @Bean
        AccessTokenProvider graphToken() {
            return new AccessTokenProvider() {
                public String getAuthorizationToken(URI uri, @Nullable Map<String, Object> context) {
                    return GRAPH_TOKEN;
                }

                public AllowedHostsValidator getAllowedHostsValidator() {
                    return new AllowedHostsValidator("127.0.0.1");
                }
            };
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("warden.identity.issuer", () -> "http://localhost:" + PORT);
        registry.add("warden.data-dir", DATA::toString);
        registry.add("warden.directory.provider", () -> "graph");
        registry.add("warden.identity.provisioner", () -> "graph");
        registry.add("warden.graph.agent-credential", () -> "secret"); // certificates are tested with the adapter
        registry.add("warden.graph.base-url", () -> "http://127.0.0.1:" + GRAPH.port() + "/v1.0");
    }

    static WireMockServer graph() {
        WireMockServer server = new WireMockServer(
                wireMockConfig().dynamicPort().bindAddress("127.0.0.1").globalTemplating(true));
        server.start();
        server.stubFor(
                any(anyUrl())
                        .atPriority(100)
                        .willReturn(
                                aResponse()
                                        .withStatus(404)
                                        .withHeader("Content-Type", "application/json")
                                        .withBody(
                                                "{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"Resource does not exist.\"}}")));
        // everyone in this tenant is an enabled person without a manager, unless stubbed otherwise
        server.stubFor(get(urlPathMatching("/v1.0/users/[^/]+")).atPriority(50).willReturn(okJson("""
                {"id":"{{request.path.[2]}}","userPrincipalName":"{{request.path.[2]}}@contoso.org","displayName":"Person {{request.path.[2]}}",
                 "accountEnabled":true}""")));
        server.stubFor(get(urlPathEqualTo("/v1.0/applications")).willReturn(okJson("{\"value\":[]}")));
        server.stubFor(post(urlPathEqualTo("/v1.0/applications"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"obj-1\",\"appId\":\"app-entra-1\"}")));
        server.stubFor(post(urlPathEqualTo("/v1.0/servicePrincipals"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"sp-1\",\"appId\":\"app-entra-1\"}")));
        server.stubFor(post(urlEqualTo("/v1.0/applications/obj-1/owners/$ref"))
                .willReturn(aResponse().withStatus(204)));
        server.stubFor(post(urlPathEqualTo("/v1.0/applications/obj-1/addPassword"))
                .willReturn(
                        okJson("{\"displayName\":\"warden\",\"endDateTime\":\"2027-05-27T10:00:00Z\",\"secretText\":\""
                                + SECRET + "\"}")));
        server.stubFor(patch(urlPathMatching("/v1.0/servicePrincipals\\(appId=('|%27)app-entra-1('|%27)\\)"))
                .willReturn(aResponse().withStatus(204)));
        return server;
    }

    @AfterAll
    static void stopGraph() {
        GRAPH.stop();
    }

    @Test
    void onboardingKillSwitchAndADepartedOwnerGoThroughEntra(CapturedOutput output) throws Exception {
        var registered = client.call("POST", "/api/v1/agents", client.personToken("ada.admin"), """
                {"name":"Entra-provisioned retrieval","kind":"RETRIEVAL","purpose":"CT similarity search","ownerId":"%s",
                 "dataScopes":["imaging-ct-deid"],"tools":["text-search"]}""".formatted(OWNER));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        String approval = client.get("/api/v1/approvals?status=PENDING&agentId=" + id, client.personToken("ada.admin"))
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();
        assertThat(client.call(
                                "POST",
                                "/api/v1/approvals/" + approval + "/approve",
                                client.personToken("carla.compliance"),
                                "{\"reason\":\"fine\"}")
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "ACTIVE".equals(agent(id).get("status").asString()));
        assertThat(agent(id).get("clientId").asString()).isEqualTo("app-entra-1");
        assertThat(Files.readString(DATA.resolve("secrets").resolve("app-entra-1.secret")))
                .isEqualTo(SECRET);
        assertThat(jdbc.sql("select count(*) from directory_user where id = :id and account_enabled")
                        .param("id", OWNER)
                        .query(Long.class)
                        .single())
                .as("the Entra owner is mirrored locally")
                .isEqualTo(1);

        // the kill switch opens an incident, which disables the service principal through the port
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                client.personToken("sam.secops"),
                "{\"scope\":\"AGENT\",\"target\":\"app-entra-1\",\"reason\":\"exfiltration suspected\"}");
        assertThat(engaged.status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> GRAPH.verify(patchRequestedFor(
                                urlPathMatching("/v1.0/servicePrincipals\\(appId=('|%27)app-entra-1('|%27)\\)"))
                        .withRequestBody(matchingJsonPath("$.accountEnabled", equalTo("false")))
                        .withHeader("Authorization", equalTo("Bearer " + GRAPH_TOKEN))));

        // the owner is disabled in Entra: the next sweep starts the orphan flow
        GRAPH.stubFor(
                get(urlPathEqualTo("/v1.0/users/" + OWNER)).atPriority(1).willReturn(okJson("""
                {"id":"%s","userPrincipalName":"leaver@contoso.org","displayName":"Leaver","accountEnabled":false}""".formatted(OWNER))));
        var sweep = client.call("POST", "/api/v1/lifecycle-rules/sweep", client.personToken("ada.admin"), null);
        assertThat(sweep.status()).isEqualTo(200);
        assertThat(engine.running(BpmnProcesses.ORPHANED, id)).isTrue();

        assertThat(output.getAll())
                .as("no secret or token in the logs")
                .doesNotContain(SECRET)
                .doesNotContain(GRAPH_TOKEN);
        assertThat(jdbc.sql(
                                "select count(*) from audit_event where concat_ws(' ', action, actor_id, target_id, agent_id,"
                                        + " array_to_string(detail_values, ' ')) like :s")
                        .param("s", "%" + SECRET + "%")
                        .query(Long.class)
                        .single())
                .as("no secret in the audit trail")
                .isZero();
    }

    private static JsonNode agent(String id) {
        return client.get("/api/v1/agents/" + id, client.personToken("ada.admin"))
                .json();
    }
}
