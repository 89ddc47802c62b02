package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Bad input gets a clear problem+json naming the field, never a 500, and writes nothing. */
class BadInputTests extends IntegrationTest {

    private static final String VALID = """
            {"name":"%s","kind":"RETRIEVAL","purpose":"Finds similar CT studies","dataScopes":["imaging-ct-deid"],
             "tools":["image-search"]}""";

    @Test
    void unknownFieldIs400NamingIt() {
        var response = client.call(
                "POST",
                "/api/v1/agents",
                owner(),
                "{\"name\":\"x\",\"kind\":\"RETRIEVAL\",\"purpose\":\"p\",\"colour\":\"red\"}");
        assertProblem(response, 400, "unknown-field");
        assertThat(response.json().get("field").asString()).isEqualTo("colour");
    }

    @Test
    void missingRequiredFieldIs400NamingIt() {
        var response = client.call("POST", "/api/v1/agents", owner(), "{\"kind\":\"RETRIEVAL\",\"purpose\":\"p\"}");
        assertProblem(response, 400, "invalid-field");
        assertThat(response.json().get("field").asString()).isEqualTo("name");
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("name");
    }

    @Test
    void malformedJsonIs400() {
        assertProblem(client.call("POST", "/api/v1/agents", owner(), "{\"name\": \"x\", "), 400, "malformed-json");
        assertProblem(
                client.call("POST", "/api/v1/agents", owner(), "{\"name\":\"x\"} trailing"), 400, "malformed-json");
    }

    @Test
    void wrongTypesAndUnknownEnumsNameTheField() {
        var response = client.call(
                "POST", "/api/v1/agents", owner(), "{\"name\":\"x\",\"kind\":\"TELEPATHY\",\"purpose\":\"p\"}");
        assertProblem(response, 400, "invalid-field");
        assertThat(response.json().get("field").asString()).isEqualTo("kind");
        var nested = client.call(
                "POST",
                "/api/v1/agents",
                owner(),
                "{\"name\":\"x\",\"kind\":\"RETRIEVAL\",\"purpose\":\"p\",\"model\":{\"name\":\"m\",\"embeddingDimension\":\"big\"}}");
        assertProblem(nested, 400, "invalid-field");
        assertThat(nested.json().get("field").asString()).isEqualTo("model.embeddingDimension");
    }

    @Test
    void tenMegabyteBodyIs413() {
        String huge = "{\"name\":\"" + "a".repeat(10 * 1024 * 1024) + "\"}";
        assertProblem(client.call("POST", "/api/v1/agents", owner(), huge), 413, "payload-too-large");
    }

    /**
     * A collection's upload (streamed to storage) may exceed the general 1 MB limit, up to its own; the same body
     * anywhere else, or to a path that only looks like an upload, is still 413.
     */
    @Test
    void aCollectionUploadMayBeLargerThanOtherBodies() {
        governedCollection("big-uploads", "imaging-ct-deid");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; lines.length() < 3 * 1024 * 1024; i++) {
            lines.append("{\"id\":\"item-")
                    .append(i)
                    .append("\",\"text\":\"")
                    .append("a finding described at some length ".repeat(4))
                    .append("\",\"metadata\":{\"label\":\"x\"}}\n");
        }
        byte[] body = lines.toString().getBytes(StandardCharsets.UTF_8);
        var upload = client.send(client.request("/api/v1/collections/big-uploads/uploads")
                .header("Authorization", "Bearer " + admin())
                .header("Content-Type", "application/x-ndjson")
                .header("Accept", "application/json, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(upload.status()).as(upload.body()).isEqualTo(201);
        var elsewhere = client.send(client.request("/api/v1/collections/big-uploads/builds")
                .header("Authorization", "Bearer " + admin())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertProblem(elsewhere, 413, "payload-too-large");
        var lookalike = client.send(client.request("/api/v1/collections/a/b/uploads")
                .header("Authorization", "Bearer " + admin())
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertProblem(lookalike, 413, "payload-too-large");
    }

    @Test
    void chunkedBodyOverTheLimitIs413() {
        byte[] huge = ("{\"name\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}").getBytes();
        var request = client.request("/api/v1/agents")
                .header("Authorization", "Bearer " + owner())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)));
        assertProblem(client.send(request), 413, "payload-too-large");
    }

    @Test
    void staleVersionIs409AndTheAgentIsUnchanged() {
        var created = client.call("POST", "/api/v1/agents", owner(), VALID.formatted("Stale check agent"));
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asString();
        long version = created.json().get("version").asLong();
        assertThat(created.header("ETag")).isEqualTo("\"" + version + "\"");

        var updated = client.call(
                "PUT",
                "/api/v1/agents/" + id,
                owner(),
                "{\"name\":\"Stale check agent v2\",\"purpose\":\"p2\",\"version\":" + version + "}");
        assertThat(updated.status()).isEqualTo(200);
        var stale = client.call(
                "PUT",
                "/api/v1/agents/" + id,
                owner(),
                "{\"name\":\"Lost update\",\"purpose\":\"p3\",\"version\":" + version + "}");
        assertProblem(stale, 409, "stale-version");
        assertThat(stale.json().get("field").asString()).isEqualTo("version");
        assertThat(client.get("/api/v1/agents/" + id, owner())
                        .json()
                        .get("name")
                        .asString())
                .isEqualTo("Stale check agent v2");
    }

    @Test
    void illegalTransitionIs409NamingTheCurrentStatus() {
        var created = client.call("POST", "/api/v1/agents", owner(), VALID.formatted("Transition check agent"));
        String id = created.json().get("id").asString();
        var response = client.call("POST", "/api/v1/agents/" + id + "/reinstate", admin(), "{\"reason\":\"why not\"}");
        assertProblem(response, 409, "illegal-status-transition");
        assertThat(response.json().get("currentStatus").asString()).isEqualTo("PENDING_APPROVAL");
        assertThat(response.json().get("detail").asString()).contains("PENDING_APPROVAL");
    }

    @Test
    void unknownReferencesNameTheField() {
        var response = client.call(
                "POST",
                "/api/v1/agents",
                owner(),
                "{\"name\":\"Bad scope\",\"kind\":\"RETRIEVAL\",\"purpose\":\"p\",\"dataScopes\":[\"no-such-scope\"]}");
        assertProblem(response, 400, "invalid-field");
        assertThat(response.json().get("field").asString()).isEqualTo("dataScopes");
        var listed = client.get("/api/v1/agents?q=Bad%20scope", admin()).json();
        assertThat(listed.get("total").asLong()).as("nothing half-written").isZero();
    }

    @Test
    void pagingIsCapped() {
        assertProblem(client.get("/api/v1/agents?size=1000", admin()), 400, "invalid-field");
        assertProblem(client.get("/api/v1/agents?page=-1", admin()), 400, "invalid-field");
        assertProblem(client.get("/api/v1/agents?status=SLEEPING", admin()), 400, "invalid-field");
    }

    @Test
    void wrongMediaTypeAndMethodAreProblems() {
        var request = client.request("/api/v1/agents")
                .header("Authorization", "Bearer " + owner())
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello"));
        assertProblem(client.send(request), 415, "unsupported-media-type");
        assertProblem(
                client.call("PATCH", "/api/v1/data-scopes/imaging-ct-deid", admin(), "{}", Map.of()), 403, "forbidden");
        assertProblem(client.get("/api/v1/agents/" + UUID.randomUUID(), admin()), 404, "agent-not-found");
        assertProblem(client.get("/nothing-here", null), 401, null);
    }

    @Test
    void idempotencyKeyReplaysAndRefusesADifferentRequest() {
        Map<String, String> key = Map.of("Idempotency-Key", "register-" + UUID.randomUUID());
        var first = client.call("POST", "/api/v1/agents", owner(), VALID.formatted("Idempotent HTTP agent"), key);
        var second = client.call("POST", "/api/v1/agents", owner(), VALID.formatted("Idempotent HTTP agent"), key);
        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(second.json().get("id").asString())
                .isEqualTo(first.json().get("id").asString());
        var different = client.call("POST", "/api/v1/agents", owner(), VALID.formatted("Another agent"), key);
        assertProblem(different, 422, "idempotency-key-reused");
    }

    private static void assertProblem(WardenClient.Response response, int status, @Nullable String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        if (code == null) {
            return;
        }
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo("urn:warden:problem:" + code);
        assertThat(response.json().get("code").asString()).isEqualTo(code);
        assertThat(response.body())
                .doesNotContain("Exception")
                .doesNotContain("at io.warden")
                .doesNotContainIgnoringCase("select ");
    }
}
