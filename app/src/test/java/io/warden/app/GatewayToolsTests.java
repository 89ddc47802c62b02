package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Through the real app: an agent lists its tools with their schemas at {@code GET /gateway/v1/tools} and calls one
 * at {@code POST /gateway/v1/tools/{tool}} through the one pipeline; only agents may; a tool a kill switch covers
 * disappears from the listing; bad bodies are problems naming the field.
 */
class GatewayToolsTests extends IntegrationTest {

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    /**
     * An agent of this class's own, granted text-search on imaging-ct-deid: the shared demo agents' state is changed by
     * other classes in the same JVM (suspensions, incidents, lifecycle rules), which this listing must not depend on.
     */
    private static ToolBackendsEndToEndTests.@Nullable Agent own;

    static String ownAgent() {
        if (own == null) {
            own = ToolBackendsEndToEndTests.agentGranted(List.of("text-search"));
        }
        return own.token();
    }

    @BeforeEach
    void collection() {
        collections.replace(
                "ct-series",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(
                        embedder,
                        List.of(new TextItem(
                                "s1",
                                "CT chest axial lung window",
                                Map.of("dataset", "imaging-ct-deid", "label", "chest")))));
        governedCollection("ct-series", "imaging-ct-deid");
    }

    static List<String> keys(JsonNode tools) {
        List<String> keys = new ArrayList<>();
        tools.get("tools").forEach(tool -> keys.add(tool.get("key").asString()));
        return keys;
    }

    @Test
    void anAgentListsItsToolsWithSchemasAndCallsOneThroughThePipeline() {
        var listed = client.get("/gateway/v1/tools", ownAgent());
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        assertThat(keys(listed.json())).contains("text-search");
        listed.json()
                .get("tools")
                .forEach(tool -> assertThat(tool.get("inputSchema").get("type").asString())
                        .isEqualTo("object"));

        var called = client.call("POST", "/gateway/v1/tools/text-search", ownAgent(), """
                {"arguments":{"collection":"ct-series","text":"CT chest","k":3},"dataset":"imaging-ct-deid","purposeOfUse":"TREAT"}""");
        assertThat(called.status()).as(called.body()).isEqualTo(200);
        JsonNode answer = called.json();
        assertThat(answer.get("isError").asBoolean()).isFalse();
        assertThat(answer.get("decision").get("allow").asBoolean()).isTrue();
        assertThat(answer.get("structured").get("hits").get(0).get("id").asString())
                .isEqualTo("s1");

        var outside = client.call("POST", "/gateway/v1/tools/text-search", ownAgent(), """
                {"arguments":{"collection":"ct-series","text":"x"},"dataset":"dermatology-phi","purposeOfUse":"TREAT"}""");
        assertThat(outside.status()).isEqualTo(403);
        assertThat(outside.contentType()).startsWith("application/problem+json");
        assertThat(outside.json().get("reasons").toString()).contains("SCOPE_NOT_GRANTED");

        var unknown =
                client.call("POST", "/gateway/v1/tools/no-such-tool", ownAgent(), "{\"dataset\":\"imaging-ct-deid\"}");
        assertThat(unknown.status()).isEqualTo(403);
        assertThat(unknown.json().get("reasons").toString()).contains("UNKNOWN_TOOL");
    }

    @Test
    void onlyAgentsListOrCallToolsAndBadBodiesNameTheirField() {
        assertThat(client.get("/gateway/v1/tools", null).status()).isEqualTo(401);
        assertThat(client.get("/gateway/v1/tools", admin()).status()).isEqualTo(403);
        assertThat(client.call("POST", "/gateway/v1/tools/text-search", admin(), "{}")
                        .status())
                .isEqualTo(403);

        var tooLong = client.call(
                "POST", "/gateway/v1/tools/text-search", ownAgent(), "{\"dataset\":\"" + "d".repeat(64) + "\"}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.body()).contains("dataset");
        var notJson = client.call("POST", "/gateway/v1/tools/text-search", ownAgent(), "{\"arguments\":[1,2]}");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.body()).contains("arguments");
    }

    @Test
    void aToolAKillSwitchCoversLeavesTheListing() {
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"TOOL\",\"target\":\"text-search\",\"reason\":\"tools listing test\"}");
        assertThat(engaged.status()).as(engaged.body()).isEqualTo(201);
        try {
            assertThat(keys(client.get("/gateway/v1/tools", ownAgent()).json())).doesNotContain("text-search");
        } finally {
            client.call(
                    "POST",
                    "/api/v1/kill-switches/" + engaged.json().get("id").asString() + "/release",
                    admin(),
                    "{\"reason\":\"test over\"}");
        }
        assertThat(keys(client.get("/gateway/v1/tools", ownAgent()).json())).contains("text-search");
    }
}
