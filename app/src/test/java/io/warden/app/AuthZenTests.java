package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** AuthZEN (issue 22, part A): the decision service for other enforcement points, over the gateway's decisions. */
class AuthZenTests extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @BeforeEach
    void collection() {
        collections.replace(
                "authzen-notes",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(
                        embedder, List.of(new TextItem("a1", "CT chest axial", Map.of("dataset", "imaging-ct-deid")))));
        governedCollection("authzen-notes", "imaging-ct-deid");
    }

    /** A fresh, approved, credentialed policy enforcement point's token and client id. */
    record Pep(String clientId, String token) {}

    static Pep pep() {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"PEP %s","kind":"POLICY_ENFORCEMENT_POINT","purpose":"an API gateway asking for decisions",
                 "dataScopes":["imaging-ct-deid"],"tools":["text-search"],"purposesOfUse":["TREAT"]}""".formatted(UUID.randomUUID()));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        JsonNode pending = client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                .json()
                .get("items")
                .get(0);
        assertThat(client.call(
                                "POST",
                                "/api/v1/approvals/" + pending.get("id").asString() + "/approve",
                                admin(),
                                "{\"reason\":\"reviewed\"}")
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "ACTIVE"
                        .equals(client.get("/api/v1/agents/" + id, admin())
                                .json()
                                .get("status")
                                .asString()));
        String clientId = client.get("/api/v1/agents/" + id, admin())
                .json()
                .get("clientId")
                .asString();
        try {
            String secret = Files.readString(DATA.resolve("secrets").resolve(clientId + ".secret"));
            return new Pep(clientId, client.agentToken(clientId, secret));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String evaluation(String subject, String tool, String type, String resource, @Nullable String purpose) {
        String context = purpose == null ? "" : ",\"context\":{\"purpose_of_use\":\"" + purpose + "\"}";
        return """
                {"subject":{"type":"agent","id":"%s"},"action":{"name":"%s"},
                 "resource":{"type":"%s","id":"%s"}%s}""".formatted(subject, tool, type, resource, context);
    }

    static String gatewayCall(String dataset) {
        return """
                {"collection":"authzen-notes","dataset":"%s","purposeOfUse":"TREAT","text":"CT chest","k":3}""".formatted(dataset);
    }

    @Test
    void theMetadataNamesTheEndpointsAndOnlyAPolicyEnforcementPointMayAsk() {
        var metadata = client.get("/.well-known/authzen-configuration", null);
        assertThat(metadata.status()).as(metadata.body()).isEqualTo(200);
        assertThat(metadata.json().get("access_evaluation_endpoint").asString()).endsWith("/access/v1/evaluation");
        assertThat(metadata.json().get("access_evaluations_endpoint").asString())
                .endsWith("/access/v1/evaluations");
        assertThat(metadata.json().get("policy_decision_point").asString()).startsWith("http");

        String body = evaluation("demo-retrieval-agent", "text-search", "data_scope", "imaging-ct-deid", "TREAT");
        assertThat(client.call("POST", "/access/v1/evaluation", null, body).status())
                .isEqualTo(401);
        var notAPep = client.call("POST", "/access/v1/evaluation", agent(), body);
        assertThat(notAPep.status()).as(notAPep.body()).isEqualTo(403);
        assertThat(client.call("POST", "/access/v1/evaluation", admin(), body).status())
                .isEqualTo(403);

        Pep pep = pep();
        var hostile = client.call("POST", "/access/v1/evaluation", pep.token(), """
                {"subject":{"type":"agent","id":"demo-retrieval-agent","properties":{"on_behalf_of":"someone"}},
                 "action":{"name":"text-search"},"resource":{"type":"data_scope","id":"imaging-ct-deid"}}""");
        assertThat(hostile.status()).as(hostile.body()).isEqualTo(400);
        assertThat(hostile.json().get("field").asString()).isEqualTo("subject.properties.on_behalf_of");
        var noAction = client.call("POST", "/access/v1/evaluation", pep.token(), """
                {"subject":{"type":"agent","id":"demo-retrieval-agent"},"resource":{"type":"data_scope","id":"x"}}""");
        assertThat(noAction.status()).as(noAction.body()).isEqualTo(400);
        assertThat(noAction.json().get("field").asString()).isEqualTo("action");
    }

    @Test
    void theSpecificationsExamplesAreAnsweredWithADecisionAndTheRequestIdAndAreAudited() {
        Pep pep = pep();
        // the specification's access evaluation example: a user, not an agent — well-formed, so a decision (false)
        var user = client.call(
                "POST",
                "/access/v1/evaluation",
                pep.token(),
                """
                {"subject":{"type":"user","id":"alice@acmecorp.com"},"resource":{"type":"account","id":"123"},
                 "action":{"name":"can_read","properties":{"method":"GET"}},"context":{"time":"1985-10-26T01:22-07:00"}}""",
                Map.of("X-Request-ID", "bfe9eb29-ab87-4ca3-be83-a1d5d8305716"));
        assertThat(user.status()).as(user.body()).isEqualTo(200);
        assertThat(user.header("X-Request-ID")).isEqualTo("bfe9eb29-ab87-4ca3-be83-a1d5d8305716");
        assertThat(user.json().get("decision").asBoolean()).isFalse();
        assertThat(user.json().get("context").get("reason_codes").toString()).contains("SUBJECT_NOT_AN_AGENT");

        // the specification's evaluations example: defaults at the top, three resources of a type Warden does not know
        var batch = client.call("POST", "/access/v1/evaluations", pep.token(), """
                {"subject":{"type":"user","id":"alice@example.com"},"action":{"name":"can_read"},
                 "evaluations":[{"resource":{"type":"document","id":"boxcarring.md"}},
                                {"resource":{"type":"document","id":"subject-search.md"}},
                                {"action":{"name":"can_edit"},"resource":{"type":"document","id":"resource-search.md"}}]}""");
        assertThat(batch.status()).as(batch.body()).isEqualTo(200);
        assertThat(batch.header("X-Request-ID")).isNull();
        assertThat(batch.json().get("evaluations")).hasSize(3);
        batch.json()
                .get("evaluations")
                .forEach(
                        answer -> assertThat(answer.get("decision").asBoolean()).isFalse());

        // an agent asked about a resource that is not a data scope or a collection: a deny naming why
        var document = client.call("POST", "/access/v1/evaluation", pep.token(), """
                {"subject":{"type":"agent","id":"demo-retrieval-agent"},"action":{"name":"text-search"},
                 "resource":{"type":"document","id":"notes.md"}}""");
        assertThat(document.status()).as(document.body()).isEqualTo(200);
        assertThat(document.json().get("context").get("reason_codes").toString())
                .contains("RESOURCE_NOT_GOVERNED");

        // a hostile request id is not echoed into the response's headers
        var hostileId = client.call(
                "POST",
                "/access/v1/evaluation",
                pep.token(),
                evaluation("demo-retrieval-agent", "text-search", "data_scope", "imaging-ct-deid", "TREAT"),
                Map.of("X-Request-ID", "a b"));
        assertThat(hostileId.status()).isEqualTo(200);
        assertThat(hostileId.header("X-Request-ID")).isNull();

        // every one of them is a decision record naming the enforcement point that asked
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode decisions = client.get("/api/v1/audit/events?action=gateway.decision&limit=200", compliance())
                    .json()
                    .get("items");
            var asked = new ArrayList<JsonNode>();
            decisions.forEach(d -> {
                if (d.toString().contains(pep.clientId())) {
                    asked.add(d);
                }
            });
            assertThat(asked)
                    .filteredOn(d -> d.get("reasons").toString().contains("SUBJECT_NOT_AN_AGENT"))
                    .hasSize(4)
                    .allSatisfy(d -> assertThat(d.get("decision").asString()).isEqualTo("DENY"))
                    .anySatisfy(d -> assertThat(d.toString()).contains("user:alice@acmecorp.com"));
            assertThat(asked)
                    .anySatisfy(d -> assertThat(d.get("reasons").toString()).contains("RESOURCE_NOT_GOVERNED"));
        });
    }

    @Test
    void anEvaluationDecidesAsTheGatewayDoesAndIsAuditedWithThePep() {
        Pep pep = pep();
        String registryId = agentByClientId("demo-retrieval-agent").get("id").asString();

        // allowed: the gateway serves it, AuthZEN says true (the subject named by its registry id too)
        assertThat(client.call("POST", "/gateway/v1/text-search", agent(), gatewayCall("imaging-ct-deid"))
                        .status())
                .isEqualTo(200);
        var allowed = client.call(
                "POST",
                "/access/v1/evaluation",
                pep.token(),
                evaluation("demo-retrieval-agent", "text-search", "data_scope", "imaging-ct-deid", "TREAT"));
        assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
        assertThat(allowed.json().get("decision").asBoolean()).isTrue();
        assertThat(client.call(
                                "POST",
                                "/access/v1/evaluation",
                                pep.token(),
                                evaluation(registryId, "text-search", "collection", "authzen-notes", "TREAT"))
                        .json()
                        .get("decision")
                        .asBoolean())
                .isTrue();

        // SCOPE_NOT_GRANTED: the same reasons through both
        var outside = client.call("POST", "/gateway/v1/text-search", agent(), gatewayCall("dermatology-phi"));
        assertThat(outside.status()).isEqualTo(403);
        var denied = client.call(
                "POST",
                "/access/v1/evaluation",
                pep.token(),
                evaluation("demo-retrieval-agent", "text-search", "data_scope", "dermatology-phi", "TREAT"));
        assertThat(denied.json().get("decision").asBoolean()).isFalse();
        assertThat(denied.json().get("context").get("reason_codes").toString())
                .contains("SCOPE_NOT_GRANTED")
                .isEqualTo(outside.json().get("reasons").toString());

        // the batch: defaults, per-evaluation overrides, deny_on_first_deny stops at the first denial
        var batch = client.call("POST", "/access/v1/evaluations", pep.token(), """
                {"subject":{"type":"agent","id":"demo-retrieval-agent"},"action":{"name":"text-search"},
                 "context":{"purpose_of_use":"TREAT"},
                 "evaluations":[{"resource":{"type":"data_scope","id":"imaging-ct-deid"}},
                                {"resource":{"type":"data_scope","id":"dermatology-phi"}},
                                {"resource":{"type":"data_scope","id":"imaging-ct-deid"}}]}""");
        assertThat(batch.status()).as(batch.body()).isEqualTo(200);
        assertThat(batch.json().get("evaluations")).hasSize(3);
        assertThat(batch.json().get("evaluations").get(0).get("decision").asBoolean())
                .isTrue();
        assertThat(batch.json().get("evaluations").get(1).get("decision").asBoolean())
                .isFalse();
        var stopped = client.call("POST", "/access/v1/evaluations", pep.token(), """
                {"subject":{"type":"agent","id":"demo-retrieval-agent"},"action":{"name":"text-search"},
                 "context":{"purpose_of_use":"TREAT"},"options":{"evaluations_semantic":"deny_on_first_deny"},
                 "evaluations":[{"resource":{"type":"data_scope","id":"dermatology-phi"}},
                                {"resource":{"type":"data_scope","id":"imaging-ct-deid"}}]}""");
        assertThat(stopped.json().get("evaluations")).hasSize(1);

        // KILL_SWITCH on the subject agent: both refuse
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"AGENT\",\"target\":\"demo-retrieval-agent\",\"reason\":\"authzen test\"}");
        assertThat(engaged.status()).isEqualTo(201);
        try {
            var killed = client.call("POST", "/gateway/v1/text-search", agent(), gatewayCall("imaging-ct-deid"));
            assertThat(killed.json().get("reasons").toString()).contains("KILL_SWITCH");
            var killedDecision = client.call(
                    "POST",
                    "/access/v1/evaluation",
                    pep.token(),
                    evaluation("demo-retrieval-agent", "text-search", "data_scope", "imaging-ct-deid", "TREAT"));
            assertThat(killedDecision.json().get("decision").asBoolean()).isFalse();
            assertThat(killedDecision.json().get("context").get("reason_codes").toString())
                    .contains("KILL_SWITCH");
        } finally {
            client.call(
                    "POST",
                    "/api/v1/kill-switches/" + engaged.json().get("id").asString() + "/release",
                    admin(),
                    "{\"reason\":\"test over\"}");
            reinstateAfterIncident("demo-retrieval-agent");
        }

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode decisions = client.get(
                            "/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.decision&limit=100",
                            compliance())
                    .json()
                    .get("items");
            var asked = new ArrayList<JsonNode>();
            decisions.forEach(d -> {
                if (d.toString().contains(pep.clientId())) {
                    asked.add(d);
                }
            });
            assertThat(asked).anySatisfy(d -> {
                assertThat(d.get("decision").asString()).isEqualTo("PERMIT");
                assertThat(d.toString()).contains("AUTHZEN");
            });
            assertThat(asked)
                    .anySatisfy(d -> assertThat(d.get("reasons").toString()).contains("KILL_SWITCH"));
            assertThat(asked)
                    .anySatisfy(d -> assertThat(d.get("reasons").toString()).contains("SCOPE_NOT_GRANTED"));
        });
    }

    /**
     * The same question through the gateway and through AuthZEN gets the same decision, made on the same input: every
     * pair of a data scope (granted, not granted, PHI) and a purpose (granted, not allowed, none) decided both ways,
     * the answers and reasons compared, and the two recorded decision inputs compared field by field (all but the
     * request's k, which only the gateway's call has).
     */
    @Test
    void theSameQuestionIsDecidedAlikeThroughTheGatewayAndAuthZenOnTheSameInput() {
        Pep pep = pep();
        List<String> scopes = List.of("imaging-ct-deid", "dermatology-phi", "wound-images-deid");
        List<String> purposes = new ArrayList<>(List.of("TREAT", "HRESCH", "HOPERAT", "PUBHLTH"));
        purposes.add(null);
        int allowed = 0;
        int denied = 0;
        for (String scope : scopes) {
            for (String purpose : purposes) {
                String asked = scope + " for " + purpose;
                String call = purpose == null ? """
                        {"collection":"authzen-notes","dataset":"%s","text":"CT chest","k":3}""".formatted(scope) : """
                        {"collection":"authzen-notes","dataset":"%s","purposeOfUse":"%s","text":"CT chest","k":3}""".formatted(scope, purpose);
                var served = client.call("POST", "/gateway/v1/text-search", agent(), call);
                assertThat(served.status()).as(asked + ": " + served.body()).isIn(200, 403);
                var decided = client.call(
                        "POST",
                        "/access/v1/evaluation",
                        pep.token(),
                        evaluation("demo-retrieval-agent", "text-search", "data_scope", scope, purpose));
                assertThat(decided.status()).as(asked + ": " + decided.body()).isEqualTo(200);
                boolean permit = decided.json().get("decision").asBoolean();
                assertThat(permit).as(asked).isEqualTo(served.status() == 200);
                if (permit) {
                    allowed++;
                } else {
                    denied++;
                    assertThat(decided.json().get("context").get("reason_codes").toString())
                            .as(asked)
                            .isEqualTo(served.json().get("reasons").toString());
                }
                JsonNode records = client.get(
                                "/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.decision&limit=2",
                                compliance())
                        .json()
                        .get("items");
                JsonNode viaAuthZen = records.get(0);
                JsonNode viaGateway = records.get(1);
                assertThat(viaAuthZen.get("details").get("edge").asString())
                        .as(asked)
                        .isEqualTo("AUTHZEN");
                assertThat(viaGateway.get("details").get("edge").asString())
                        .as(asked)
                        .isEqualTo("REST");
                assertThat(viaAuthZen.get("decision").asString())
                        .isEqualTo(viaGateway.get("decision").asString());
                assertThat(withoutK(viaAuthZen)).as(asked).isEqualTo(withoutK(viaGateway));
            }
        }
        assertThat(allowed).as("some pairs are allowed").isPositive();
        assertThat(denied).as("some pairs are denied").isPositive();
    }

    private static JsonNode withoutK(JsonNode record) {
        JsonNode input = JSON.readTree(record.get("details").get("input").asString());
        ((ObjectNode) input.get("request")).remove("k");
        return input;
    }
}
