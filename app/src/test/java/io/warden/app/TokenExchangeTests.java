package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * RFC 8693 token exchange on the embedded provider: an active agent trades a person's token for a delegated one
 * ({@code sub} the person, {@code act.sub} the agent), which the gateway admits as the agent; every other subject
 * token, and every client that is not an active agent, is refused as the specification says.
 */
class TokenExchangeTests extends IntegrationTest {

    static final String AGENT = "demo-retrieval-agent";
    static final String SECRET = "demo-retrieval-agent-secret";
    static final String OLIVIA = "3f1c2a9e-7b1d-4e0a-9c11-000000000a03";
    static final String ADA = "3f1c2a9e-7b1d-4e0a-9c11-000000000a01";
    static final String SEARCH = """
            {"collection":"obo-series","dataset":"imaging-ct-deid","purposeOfUse":"HRESCH","text":"CT chest","k":2}""";

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @Autowired
    JdbcClient jdbc;

    @BeforeEach
    void collection() {
        collections.replace(
                "obo-series",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(
                        embedder,
                        List.of(
                                new TextItem(
                                        "o1",
                                        "CT chest axial lung window",
                                        Map.of("dataset", "imaging-ct-deid", "label", "chest")),
                                new TextItem(
                                        "o2",
                                        "CT head without contrast",
                                        Map.of("dataset", "imaging-ct-deid", "label", "head")))));
        governedCollection("obo-series", "imaging-ct-deid");
    }

    @Test
    void anActiveAgentExchangesAPersonsTokenForOneNamingBoth() {
        String person = client.signIn("olivia.owner", "warden-demo");
        var exchanged = exchange(AGENT, SECRET, person);
        assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);
        assertThat(exchanged.json().get("issued_token_type").asString())
                .isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        JsonNode claims = claims(exchanged.json().get("access_token").asString());
        assertThat(claims.get("sub").asString()).isEqualTo(OLIVIA);
        assertThat(claims.get("oid").asString()).isEqualTo(OLIVIA);
        assertThat(claims.get("act").get("sub").asString()).isEqualTo(AGENT);
        assertThat(claims.get("act").has("act")).isFalse();
        assertThat(claims.get("azp").asString()).isEqualTo(AGENT);
        assertThat(claims.has("roles"))
                .as("the person's roles stay with the person")
                .isFalse();
        long lifetime = claims.get("exp").asLong() - claims.get("iat").asLong();
        assertThat(lifetime)
                .isPositive()
                .isLessThanOrEqualTo(Duration.ofMinutes(15).toSeconds());
        assertThat(claims.get("exp").asLong())
                .as("never outlives the person's token")
                .isLessThanOrEqualTo(claims(person).get("exp").asLong());

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode records = client.get("/api/v1/audit/events?action=identity.token_exchanged&limit=50", compliance())
                    .json()
                    .get("items");
            assertThat(records).anySatisfy(record -> {
                assertThat(record.get("actor").get("id").asString()).isEqualTo(AGENT);
                assertThat(record.path("details").path("onBehalfOf").asString(""))
                        .isEqualTo(OLIVIA);
                assertThat(record.toString())
                        .doesNotContain(person)
                        .doesNotContain(exchanged.json().get("access_token").asString());
            });
        });
    }

    @Test
    void theDelegatedTokenReachesTheGatewayAsTheAgentForThePersonButNotTheControlPlane() {
        // Olivia holds the de-identified CT scope for research through her directory group; Ada holds nothing
        String olivia = client.signIn("olivia.owner", "warden-demo");
        String forOlivia =
                exchange(AGENT, SECRET, olivia).json().get("access_token").asString();
        var permitted = client.call("POST", "/gateway/v1/text-search", forOlivia, SEARCH);
        assertThat(permitted.status()).as(permitted.body()).isEqualTo(200);

        String ada = client.signIn("ada.admin", "warden-demo");
        String forAda = exchange(AGENT, SECRET, ada).json().get("access_token").asString();
        var denied = client.call("POST", "/gateway/v1/text-search", forAda, SEARCH);
        assertThat(denied.status()).as(denied.body()).isEqualTo(403);
        assertThat(denied.json().get("reasons").toString()).contains("PERSON_SCOPE_NOT_ENTITLED");
        assertThat(client.call("POST", "/gateway/v1/text-search", agent(), SEARCH)
                        .status())
                .as("the agent alone may read it")
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode decisions = client.get(
                            "/api/v1/audit/events?agent=" + AGENT + "&action=gateway.decision&limit=50", compliance())
                    .json()
                    .get("items");
            assertThat(decisions).anySatisfy(record -> {
                assertThat(record.path("decision").asString("")).isEqualTo("PERMIT");
                assertThat(record.get("actor").get("id").asString()).isEqualTo(AGENT);
                assertThat(record.path("details").path("onBehalfOf").asString(""))
                        .isEqualTo(OLIVIA);
                assertThat(record.path("details").path("delegation").asString(""))
                        .isEqualTo("token-exchange");
            });
            assertThat(decisions).anySatisfy(record -> {
                assertThat(record.path("decision").asString("")).isEqualTo("DENY");
                assertThat(record.path("details").path("onBehalfOf").asString(""))
                        .isEqualTo(ADA);
            });
        });

        assertThat(client.get("/api/v1/agents", forAda).status())
                .as("an admin's delegated token is the agent's, never the admin's")
                .isEqualTo(403);
        assertThat(client.call("POST", "/gateway/v1/text-search", ada, SEARCH).status())
                .as("a person's own token stays off the data plane")
                .isEqualTo(403);
    }

    @Test
    void aSuspendedAgentMayNotExchange() {
        String person = client.signIn("olivia.owner", "warden-demo");
        String id = agentByClientId(AGENT).get("id").asString();
        var suspended = client.call("POST", "/api/v1/agents/" + id + "/suspend", secops(), "{\"reason\":\"exchange\"}");
        assertThat(suspended.status()).as(suspended.body()).isEqualTo(200);
        try {
            var refused = exchange(AGENT, SECRET, person);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.json().get("error").asString()).isEqualTo("invalid_client");
            assertThat(refused.body()).doesNotContain("access_token");
        } finally {
            client.call("POST", "/api/v1/agents/" + id + "/reinstate", admin(), "{\"reason\":\"checked\"}");
        }
    }

    @Test
    void anAgentsOwnTokenOrAnAlreadyDelegatedOneIsNoPersonsToken() {
        assertInvalidGrant(exchange(AGENT, SECRET, client.agentToken(AGENT, SECRET)));
        String person = client.signIn("olivia.owner", "warden-demo");
        String delegated =
                exchange(AGENT, SECRET, person).json().get("access_token").asString();
        assertInvalidGrant(exchange(AGENT, SECRET, delegated));
    }

    @Test
    void anExpiredOrForeignSubjectTokenIsRefused() throws Exception {
        String expired = client.signIn("carla.compliance", "warden-demo");
        // the provider's record of the token says when it expires; move that into the past
        int moved = jdbc.sql("""
                        update oauth2_authorization set access_token_issued_at = now() - interval '20 minutes',
                            access_token_expires_at = now() - interval '1 minute'
                        where id = (select id from oauth2_authorization
                                    where principal_name = 'carla.compliance'
                                      and authorization_grant_type = 'authorization_code'
                                    order by access_token_issued_at desc limit 1)""").update();
        assertThat(moved).isEqualTo(1);
        assertInvalidGrant(exchange(AGENT, SECRET, expired));

        // the same claims a person's token carries, signed by a key that is not the provider's
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("stranger").generate();
        JsonNode real = claims(client.signIn("olivia.owner", "warden-demo"));
        Instant now = Instant.now();
        SignedJWT forged = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("stranger").build(),
                new JWTClaimsSet.Builder()
                        .issuer(real.get("iss").asString())
                        .subject(OLIVIA)
                        .audience(
                                real.get("aud").isArray()
                                        ? real.get("aud").get(0).asString()
                                        : real.get("aud").asString())
                        .claim("oid", OLIVIA)
                        .claim("scp", "openid warden.api")
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(600)))
                        .build());
        forged.sign(new RSASSASigner(stranger));
        assertInvalidGrant(exchange(AGENT, SECRET, forged.serialize()));
        assertInvalidGrant(exchange(AGENT, SECRET, "not-a-token"));
    }

    @Test
    void anotherSubjectTokenTypeOrAnActorTokenIsAnInvalidRequest() {
        String person = client.signIn("olivia.owner", "warden-demo");
        Map<String, String> idToken = new LinkedHashMap<>(exchangeForm(person));
        idToken.put("subject_token_type", "urn:ietf:params:oauth:token-type:id_token");
        var wrongType = post(AGENT, SECRET, idToken);
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("error").asString()).isEqualTo("unsupported_token_type");

        Map<String, String> withActor = new LinkedHashMap<>(exchangeForm(person));
        withActor.put("actor_token", client.agentToken(AGENT, SECRET));
        withActor.put("actor_token_type", "urn:ietf:params:oauth:token-type:access_token");
        var actor = post(AGENT, SECRET, withActor);
        assertThat(actor.status()).isEqualTo(400);
        assertThat(actor.json().get("error").asString()).isEqualTo("invalid_request");
    }

    private static void assertInvalidGrant(WardenClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("error").asString()).isEqualTo("invalid_grant");
        assertThat(response.body()).doesNotContain("access_token");
    }

    static WardenClient.Response exchange(String clientId, String secret, String subjectToken) {
        return post(clientId, secret, exchangeForm(subjectToken));
    }

    static Map<String, String> exchangeForm(String subjectToken) {
        return Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token", subjectToken,
                "subject_token_type", "urn:ietf:params:oauth:token-type:access_token");
    }

    static WardenClient.Response post(String clientId, String secret, Map<String, String> fields) {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return client.send(client.request("/oauth2/token")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString(form(fields))));
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static JsonNode claims(String jwt) {
        String payload = jwt.split("\\.")[1];
        return WardenClient.JSON.readTree(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
    }
}
