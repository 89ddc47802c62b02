package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Through the real app: an active demo agent searches a collection through the gateway; a dataset outside
 * its scopes is denied with SCOPE_NOT_GRANTED; after its kill switch the next call is denied with
 * KILL_SWITCH; every call is in the audit trail with its decision.
 */
class GatewayTests extends IntegrationTest {

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @BeforeEach
    void collection() {
        collections.replace(
                "ct-series",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(
                        embedder,
                        List.of(
                                new TextItem(
                                        "s1",
                                        "CT chest axial lung window",
                                        Map.of("dataset", "imaging-ct-deid", "label", "chest")),
                                new TextItem(
                                        "s2",
                                        "CT thorax with contrast",
                                        Map.of("dataset", "imaging-ct-deid", "label", "chest")),
                                new TextItem(
                                        "s3",
                                        "CT head without contrast",
                                        Map.of("dataset", "imaging-ct-deid", "label", "head")),
                                new TextItem(
                                        "s4",
                                        "Chest photograph of a lesion",
                                        Map.of(
                                                "dataset",
                                                "dermatology-phi",
                                                "label",
                                                "skin",
                                                "patient_id",
                                                "12345")))));
        governedCollection("ct-series", "imaging-ct-deid");
    }

    static String call(String dataset, String text, int k) {
        return """
                {"collection":"ct-series","dataset":"%s","purposeOfUse":"TREAT","text":"%s","k":%d}""".formatted(dataset, text, k);
    }

    @Test
    void anActiveAgentSearchesThenIsDeniedOutsideItsScopesAndAfterItsKillSwitch() {
        var allowed =
                client.call("POST", "/gateway/v1/text-search", agent(), call("imaging-ct-deid", "CT chest", 1000));
        assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
        JsonNode answer = allowed.json();
        assertThat(answer.get("k").asInt()).as("k capped at the tool's maximum").isEqualTo(50);
        assertThat(answer.get("hits"))
                .isNotEmpty()
                .allSatisfy(hit -> assertThat(hit.get("metadata").get("dataset").asString())
                        .isEqualTo("imaging-ct-deid"));
        assertThat(answer.get("hits").get(0).get("metadata").get("label").asString())
                .isEqualTo("chest");

        var outside = client.call("POST", "/gateway/v1/text-search", agent(), call("dermatology-phi", "lesion", 3));
        assertThat(outside.status()).isEqualTo(403);
        assertThat(outside.contentType()).startsWith("application/problem+json");
        assertThat(outside.json().get("reasons").toString()).contains("SCOPE_NOT_GRANTED");

        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"AGENT\",\"target\":\"demo-retrieval-agent\",\"reason\":\"gateway test\"}");
        assertThat(engaged.status()).isEqualTo(201);
        try {
            var killed =
                    client.call("POST", "/gateway/v1/text-search", agent(), call("imaging-ct-deid", "CT chest", 3));
            assertThat(killed.status()).isEqualTo(403);
            assertThat(killed.json().get("reasons").toString()).contains("KILL_SWITCH");
        } finally {
            client.call(
                    "POST",
                    "/api/v1/kill-switches/" + engaged.json().get("id").asString() + "/release",
                    admin(),
                    "{\"reason\":\"test over\"}");
            reinstateAfterIncident("demo-retrieval-agent"); // the switch opened an incident: it suspended the agent
        }
        assertThat(client.call("POST", "/gateway/v1/text-search", agent(), call("imaging-ct-deid", "CT chest", 3))
                        .status())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode decisions = client.get(
                            "/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.decision&limit=50",
                            compliance())
                    .json()
                    .get("items");
            assertThat(decisions)
                    .anySatisfy(d -> assertThat(d.get("decision").asString()).isEqualTo("PERMIT"));
            assertThat(decisions)
                    .anySatisfy(d -> assertThat(d.get("reasons").toString()).contains("SCOPE_NOT_GRANTED"));
            assertThat(decisions)
                    .anySatisfy(d -> assertThat(d.get("reasons").toString()).contains("KILL_SWITCH"));
            // every record of this test's calls (other tests write records for the same agent)
            assertThat(decisions)
                    .filteredOn(d -> "ct-series"
                            .equals(d.path("details").path("collection").asString(null)))
                    .isNotEmpty()
                    .allSatisfy(
                            d -> assertThat(d.get("requestDigest").asString()).matches("[0-9a-f]{64}"));
        });
    }

    @Test
    void badCallsAreClearProblems() {
        var purpose = client.call(
                "POST",
                "/gateway/v1/text-search",
                agent(),
                "{\"collection\":\"ct-series\",\"dataset\":\"imaging-ct-deid\",\"purposeOfUse\":\"SNOOPING\",\"text\":\"x\",\"k\":3}");
        assertThat(purpose.status()).isEqualTo(400);
        var noPurpose = client.call(
                "POST",
                "/gateway/v1/text-search",
                agent(),
                "{\"collection\":\"ct-series\",\"dataset\":\"imaging-ct-deid\",\"text\":\"x\",\"k\":3}");
        assertThat(noPurpose.status()).isEqualTo(403);
        assertThat(noPurpose.json().get("reasons").toString()).contains("PURPOSE_REQUIRED");
        var badK = client.call("POST", "/gateway/v1/text-search", agent(), call("imaging-ct-deid", "x", 0));
        assertThat(badK.status()).isEqualTo(400);
        var notGranted = client.call("POST", "/gateway/v1/classify", agent(), call("imaging-ct-deid", "x", 3));
        assertThat(notGranted.status()).isEqualTo(403);
        assertThat(notGranted.json().get("reasons").toString()).contains("TOOL_NOT_GRANTED");
        var person = client.call("POST", "/gateway/v1/text-search", admin(), call("imaging-ct-deid", "x", 3));
        assertThat(person.status()).isEqualTo(403);
        var wrongDimension = client.call(
                "POST",
                "/gateway/v1/image-search",
                agent(),
                "{\"collection\":\"ct-series\",\"dataset\":\"imaging-ct-deid\",\"purposeOfUse\":\"TREAT\",\"vector\":[1,0],\"k\":3}");
        assertThat(wrongDimension.status()).isEqualTo(400);
        assertThat(wrongDimension.json().get("reasons").toString()).contains("wrong-dimension");
    }

    @Test
    void theTraceIdOfAW3CTraceparentOrAWellFormedRequestIdIsKeptInTheCallsRecords() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        var traced = client.send(client.request("/gateway/v1/text-search")
                .header("Authorization", "Bearer " + agent())
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .POST(HttpRequest.BodyPublishers.ofString(call("imaging-ct-deid", "CT chest", 3))));
        assertThat(traced.status()).as(traced.body()).isEqualTo(200);
        var requested = client.send(client.request("/gateway/v1/text-search")
                .header("Authorization", "Bearer " + agent())
                .header("Content-Type", "application/json")
                .header("X-Request-Id", "req-gateway-trace-1")
                .header("traceparent", "not a traceparent")
                .POST(HttpRequest.BodyPublishers.ofString(call("imaging-ct-deid", "CT head", 3))));
        assertThat(requested.status()).as(requested.body()).isEqualTo(200);
        String records = client.get(
                        "/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.decision&limit=50",
                        compliance())
                .body();
        assertThat(records).contains(traceId).contains("req-gateway-trace-1").doesNotContain("not a traceparent");
        // tracing off (the default): the correlation id is the caller's trace id, else its well-formed request id
        List<String> correlationIds = new ArrayList<>();
        client.get("/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.decision&limit=50", compliance())
                .json()
                .get("items")
                .forEach(item -> correlationIds.add(item.path("correlationId").asString("")));
        assertThat(correlationIds).contains(traceId, "req-gateway-trace-1");
    }
}
