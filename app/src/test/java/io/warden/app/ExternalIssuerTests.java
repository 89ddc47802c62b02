package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.warden.WardenApplication;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Pointing Warden at Entra ID is configuration only. A local fake publishes a JWK set as Entra's
 * {@code discovery/v2.0/keys} does, and signs tokens of Entra's v2 shapes; Warden, started with
 * {@code warden.identity.provider=external}, accepts them by the same rules as its own.
 */
class ExternalIssuerTests {

    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String ISSUER = "https://login.microsoftonline.com/" + TENANT + "/v2.0";
    static final String AUDIENCE = "api://warden-test";

    static RSAKey key;
    static HttpServer entra;
    static ConfigurableApplicationContext warden;
    static WardenClient client;

    @BeforeAll
    static void start() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("entra-key-1").generate();
        String jwks = new JWKSet(key.toPublicJWK()).toString();
        entra = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        entra.createContext("/" + TENANT + "/discovery/v2.0/keys", exchange -> {
            byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        entra.start();

        int port = IntegrationTest.freePort();
        warden = new SpringApplicationBuilder(WardenApplication.class)
                .run(
                        "--server.port=" + port,
                        "--warden.data-dir=" + Files.createTempDirectory("warden-entra-"),
                        "--warden.identity.provider=external",
                        "--warden.identity.issuer=" + ISSUER,
                        "--warden.identity.jwk-set-uri=http://127.0.0.1:"
                                + entra.getAddress().getPort() + "/" + TENANT + "/discovery/v2.0/keys",
                        "--warden.identity.audience=" + AUDIENCE,
                        "--warden.identity.role-values.ADMIN=Warden.Admin",
                        "--warden.identity.role-values.OWNER=Warden.Owner",
                        "--warden.demo.enabled=true");
        client = new WardenClient("http://localhost:" + port);
    }

    @AfterAll
    static void stop() {
        if (warden != null) {
            warden.close();
        }
        if (entra != null) {
            entra.stop(0);
        }
    }

    @Test
    void delegatedTokenWithAnEntraAppRoleListsAgents() throws Exception {
        String token = sign(person("Warden.Admin"), key);
        var response = client.get("/api/v1/agents", token);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("total").asLong()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void appOnlyTokenIsAnAgentAndGetsNoManagementAccess() throws Exception {
        var claims = base().claim("azp", "11111111-2222-3333-4444-555555555555")
                .claim("oid", UUID.randomUUID().toString())
                .claim("idtyp", "app")
                .claim("roles", List.of("Warden.Admin"))
                .build();
        assertThat(client.get("/api/v1/agents", sign(claims, key)).status()).isEqualTo(403);
    }

    @Test
    void anEntraClientCredentialsTokenReachesTheGatewayAsItsRegisteredAgent() throws Exception {
        String body = """
                {"collection":"ct-series","dataset":"dermatology-phi","purposeOfUse":"TREAT","text":"lesion","k":3}""";
        var asAgent =
                client.call("POST", "/gateway/v1/text-search", sign(app("demo-retrieval-agent", TENANT), key), body);
        assertThat(asAgent.status()).as(asAgent.body()).isEqualTo(403);
        assertThat(asAgent.json().get("reasons").toString())
                .as("resolved to the registered agent, then decided")
                .contains("SCOPE_NOT_GRANTED");
        var unknown = client.call(
                "POST",
                "/gateway/v1/text-search",
                sign(app("99999999-0000-0000-0000-000000000000", TENANT), key),
                body);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.json().get("reasons").toString()).contains("AGENT_UNKNOWN");
        var otherTenant = new JWTClaimsSet.Builder(app("demo-retrieval-agent", "other-tenant"))
                .issuer("https://login.microsoftonline.com/other-tenant/v2.0")
                .build();
        assertThat(client.call("POST", "/gateway/v1/text-search", sign(otherTenant, key), body)
                        .status())
                .isEqualTo(401);
        var expired = new JWTClaimsSet.Builder(app("demo-retrieval-agent", TENANT))
                .expirationTime(Date.from(Instant.now().minusSeconds(600)))
                .build();
        assertThat(client.call("POST", "/gateway/v1/text-search", sign(expired, key), body)
                        .status())
                .isEqualTo(401);
    }

    @Test
    void anEntraOnBehalfOfTokenIsTheAgentActingForThePersonNeverThePerson() throws Exception {
        // Entra's on-behalf-of token: delegated (scp), the person's oid and roles, the agent's app in azp
        var obo = new JWTClaimsSet.Builder(person("Warden.Admin"))
                .claim("azp", "demo-retrieval-agent")
                .build();
        String token = sign(obo, key);
        String body = """
                {"collection":"ct-series","dataset":"dermatology-phi","purposeOfUse":"TREAT","text":"lesion","k":3}""";
        var call = client.call("POST", "/gateway/v1/text-search", token, body);
        assertThat(call.status()).as(call.body()).isEqualTo(403);
        assertThat(call.json().get("reasons").toString())
                .as("admitted as the registered agent, then decided")
                .contains("SCOPE_NOT_GRANTED");
        assertThat(client.get("/api/v1/agents", token).status())
                .as("the person's admin role does not travel with the agent")
                .isEqualTo(403);
        var ownToken = client.call("POST", "/gateway/v1/text-search", sign(person("Warden.Admin"), key), body);
        assertThat(ownToken.status()).isEqualTo(403);
        assertThat(ownToken.body())
                .as("a person's own token never reaches a decision")
                .doesNotContain("reasons");
    }

    /** An Entra v2 client-credentials token: the application's id in azp and appid, no scp, idtyp app. */
    private static JWTClaimsSet app(String appId, String tenant) {
        return base().claim("tid", tenant)
                .claim("azp", appId)
                .claim("appid", appId)
                .claim("azpacr", "1")
                .claim("oid", UUID.randomUUID().toString())
                .claim("idtyp", "app")
                .claim("roles", List.of("Warden.Agent"))
                .build();
    }

    @Test
    void wrongAudienceWrongIssuerExpiredOrForeignKeyAreRefused() throws Exception {
        assertThat(client.get(
                                "/api/v1/agents",
                                sign(
                                        new JWTClaimsSet.Builder(person("Warden.Admin"))
                                                .audience("api://someone-else")
                                                .build(),
                                        key))
                        .status())
                .isEqualTo(401);
        assertThat(client.get(
                                "/api/v1/agents",
                                sign(
                                        new JWTClaimsSet.Builder(person("Warden.Admin"))
                                                .issuer("https://login.microsoftonline.com/other-tenant/v2.0")
                                                .build(),
                                        key))
                        .status())
                .isEqualTo(401);
        assertThat(client.get(
                                "/api/v1/agents",
                                sign(
                                        new JWTClaimsSet.Builder(person("Warden.Admin"))
                                                .expirationTime(
                                                        Date.from(Instant.now().minusSeconds(3600)))
                                                .build(),
                                        key))
                        .status())
                .isEqualTo(401);
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("entra-key-1").generate();
        assertThat(client.get("/api/v1/agents", sign(person("Warden.Admin"), stranger))
                        .status())
                .isEqualTo(401);
    }

    @Test
    void theEmbeddedProviderIsNotThere() {
        var response = client.call(
                "POST", "/oauth2/token", null, null, Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(response.status())
                .as("no token endpoint: the web chain refuses the POST")
                .isIn(401, 403, 404);
        assertThat(response.body()).doesNotContain("access_token");
        assertThat(client.get("/.well-known/openid-configuration", null).status())
                .isIn(401, 404);
    }

    private static JWTClaimsSet person(String role) {
        return base().claim("oid", "3f1c2a9e-7b1d-4e0a-9c11-000000000a01")
                .claim("scp", "access_as_user")
                .claim("roles", List.of(role))
                .claim("azp", "portal-client-id")
                .build();
    }

    private static JWTClaimsSet.Builder base() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600)))
                .claim("tid", TENANT)
                .claim("ver", "2.0");
    }

    private static String sign(JWTClaimsSet claims, RSAKey signingKey) throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(signingKey.getKeyID())
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        jwt.sign(new RSASSASigner(signingKey));
        return jwt.serialize();
    }
}
