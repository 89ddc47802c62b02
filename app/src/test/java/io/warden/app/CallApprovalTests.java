package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Per-call approval end to end: with text-search marked for approval, a call is parked (REST 202 with the link; MCP
 * a URL elicitation, or -32042 for a client that cannot elicit), a compliance officer approves its exact arguments,
 * and the resubmission with the approval is served once; reuse, other arguments, and approvers without the right are
 * refused, and every step is in the audit trail. Expiry is exact in {@code PostgresCallApprovalsTests} (moved clock).
 */
class CallApprovalTests extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @BeforeEach
    void markTextSearch() {
        collections.replace(
                "approval-notes",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(
                        embedder,
                        List.of(
                                new TextItem("a1", "CT chest axial", Map.of("dataset", "imaging-ct-deid")),
                                new TextItem("a2", "CT head", Map.of("dataset", "imaging-ct-deid")))));
        governedCollection("approval-notes", "imaging-ct-deid");
        mark("text-search", true);
    }

    @AfterEach
    void unmark() {
        mark("text-search", false);
    }

    /** Marks or unmarks a tool through the admin API, from the version read. */
    static void mark(String tool, boolean approvalRequired) {
        JsonNode current = client.get("/api/v1/tools/" + tool, admin()).json();
        Map<String, Object> body = new HashMap<>();
        body.put("displayName", current.get("displayName").asString());
        body.put("description", current.get("description").asString());
        body.put("backend", current.get("backend").asString());
        List<String> scopes = new ArrayList<>();
        current.get("requiredScopes").forEach(scope -> scopes.add(scope.asString()));
        body.put("requiredScopes", scopes);
        body.put("maxK", current.get("maxK").asInt());
        body.put("sensitivity", current.get("sensitivity").asString());
        body.put("approvalRequired", approvalRequired);
        body.put("version", current.get("version").asLong());
        var saved = client.call("PUT", "/api/v1/tools/" + tool, admin(), JSON.writeValueAsString(body));
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        assertThat(saved.json().get("approvalRequired").asBoolean()).isEqualTo(approvalRequired);
    }

    static String search(String text) {
        return """
                {"collection":"approval-notes","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"%s","k":2}""".formatted(text);
    }

    static long audited(String action, String approvalId) {
        JsonNode items = client.get("/api/v1/audit/events?action=" + action + "&limit=100", compliance())
                .json()
                .get("items");
        long count = 0;
        for (JsonNode item : items) {
            if (item.toString().contains(approvalId)) {
                count++;
            }
        }
        return count;
    }

    @Test
    void aMarkedToolParksTheCallUntilApprovedThenServesItOnceForExactlyThoseArguments() {
        String agent = agent();
        var parked = client.call("POST", "/gateway/v1/text-search", agent, search("CT chest"));
        assertThat(parked.status()).as(parked.body()).isEqualTo(202);
        JsonNode body = parked.json();
        assertThat(body.get("status").asString()).isEqualTo("PENDING");
        String id = body.get("approvalId").asString();
        String link = body.get("link").asString();
        assertThat(link).isEqualTo(client.base() + "/portal/approvals/calls/" + id);
        assertThat(parked.header("Location")).isEqualTo(link);
        assertThat(body.get("expiresAt").asString()).isNotBlank();

        // resubmitting before anyone decided is refused: the approval is pending, not granted
        var early = client.call(
                "POST", "/gateway/v1/text-search", agent, search("CT chest"), Map.of("Warden-Approval", id));
        assertThat(early.status()).as(early.body()).isEqualTo(403);
        assertThat(early.body()).contains("APPROVAL_INVALID");

        // the approver sees the exact arguments
        JsonNode shown =
                client.get("/api/v1/approvals/calls/" + id, compliance()).json();
        assertThat(shown.get("state").asString()).isEqualTo("PENDING");
        assertThat(shown.get("shown").get("text").asString()).isEqualTo("CT chest");
        assertThat(shown.get("agentName").asString()).isEqualTo("Demo CT retrieval agent");
        assertThat(shown.get("cannotDecide").isNull()).isTrue();
        var listed = client.get("/api/v1/approvals/calls", compliance());
        assertThat(listed.json().get(0).get("id").asString())
                .as("pending first")
                .isEqualTo(id);

        // people without the right cannot decide: by role (the owner, secops) and by no reason given
        assertThat(client.call("POST", "/api/v1/approvals/calls/" + id + "/approve", owner(), "{\"reason\":\"ok\"}")
                        .status())
                .isEqualTo(403);
        assertThat(client.call("POST", "/api/v1/approvals/calls/" + id + "/approve", secops(), "{\"reason\":\"ok\"}")
                        .status())
                .isEqualTo(403);
        var noReason = client.call("POST", "/api/v1/approvals/calls/" + id + "/approve", compliance(), "{}");
        assertThat(noReason.status()).isEqualTo(400);

        var approved = client.call(
                "POST", "/api/v1/approvals/calls/" + id + "/approve", compliance(), "{\"reason\":\"tumour board\"}");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.json().get("state").asString()).isEqualTo("APPROVED");
        var again = client.call("POST", "/api/v1/approvals/calls/" + id + "/deny", admin(), "{\"reason\":\"no\"}");
        assertThat(again.status()).as("decided once").isEqualTo(409);

        // other arguments do not match the approval, and leave it unused
        var other =
                client.call("POST", "/gateway/v1/text-search", agent, search("CT head"), Map.of("Warden-Approval", id));
        assertThat(other.status()).as(other.body()).isEqualTo(403);
        assertThat(other.body()).contains("APPROVAL_INVALID");

        var served = client.call(
                "POST", "/gateway/v1/text-search", agent, search("CT chest"), Map.of("Warden-Approval", id));
        assertThat(served.status()).as(served.body()).isEqualTo(200);
        assertThat(served.json().get("hits")).isNotEmpty();

        var reused = client.call(
                "POST", "/gateway/v1/text-search", agent, search("CT chest"), Map.of("Warden-Approval", id));
        assertThat(reused.status()).as(reused.body()).isEqualTo(403);
        assertThat(reused.body()).contains("APPROVAL_INVALID");
        assertThat(client.get("/api/v1/approvals/calls/" + id, compliance())
                        .json()
                        .get("state")
                        .asString())
                .isEqualTo("USED");

        assertThat(audited("approval.requested", id)).isEqualTo(1);
        assertThat(audited("approval.granted", id)).isEqualTo(1);
        assertThat(audited("approval.used", id)).isEqualTo(1);
    }

    @Test
    void aDeniedCallIsNeverServedAndAHostileIdIsRefusedAsInvalid() {
        String agent = agent();
        String id = client.call("POST", "/gateway/v1/text-search", agent, search("CT chest"))
                .json()
                .get("approvalId")
                .asString();
        var denied = client.call("POST", "/api/v1/approvals/calls/" + id + "/deny", admin(), "{\"reason\":\"no\"}");
        assertThat(denied.status()).as(denied.body()).isEqualTo(200);
        var refused = client.call(
                "POST", "/gateway/v1/text-search", agent, search("CT chest"), Map.of("Warden-Approval", id));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(audited("approval.denied", id)).isEqualTo(1);

        var hostile = client.call(
                "POST",
                "/gateway/v1/text-search",
                agent,
                search("CT chest"),
                Map.of("Warden-Approval", "'; drop table call_approval; --"));
        assertThat(hostile.status()).as(hostile.body()).isEqualTo(400);
        assertThat(client.get("/api/v1/approvals/calls/not-an-id", compliance()).status())
                .isEqualTo(404);
    }

    @Test
    void overMcpAClientWithUrlElicitationIsSentTheLinkAndOneWithoutGetsMinus32042ThenBothResubmit() {
        Map<String, Object> meta = Map.of("io.warden/purposeOfUse", "TREAT", "io.warden/dataset", "imaging-ct-deid");
        List<McpSchema.ElicitUrlRequest> elicited = new CopyOnWriteArrayList<>();
        try (McpSyncClient eliciting = McpClient.sync(HttpClientStreamableHttpTransport.builder(client.base())
                        .endpoint("/mcp")
                        .httpRequestCustomizer((builder, method, uri, body, context) ->
                                builder.header("Authorization", "Bearer " + agent()))
                        .build())
                .clientInfo(new McpSchema.Implementation("warden-tests-eliciting", "1.0"))
                .requestTimeout(Duration.ofSeconds(20))
                .capabilities(McpSchema.ClientCapabilities.builder()
                        .elicitation(false, true)
                        .build())
                .urlElicitation(request -> {
                    elicited.add(request);
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, null);
                })
                .build()) {
            eliciting.initialize();
            CallToolResult parked = eliciting.callTool(call("CT chest", meta));
            assertThat(parked.isError()).isTrue();
            assertThat(String.valueOf(parked.content())).contains("APPROVAL_REQUIRED");
            assertThat(elicited).hasSize(1);
            McpSchema.ElicitUrlRequest request = elicited.getFirst();
            String id = request.elicitationId();
            assertThat(request.mode()).isEqualTo("url");
            assertThat(request.url()).isEqualTo(client.base() + "/portal/approvals/calls/" + id);
            assertThat(parked.structuredContent().toString()).contains(id);

            approve(id);
            Map<String, Object> approved = new HashMap<>(meta);
            approved.put("io.warden/approval", id);
            CallToolResult served = eliciting.callTool(call("CT chest", approved));
            assertThat(served.isError()).as(String.valueOf(served.content())).isFalse();
            CallToolResult reused = eliciting.callTool(call("CT chest", approved));
            assertThat(reused.isError()).isTrue();
            assertThat(String.valueOf(reused.content())).contains("APPROVAL_INVALID");
        }

        try (McpSyncClient plain = McpServerTests.mcp(agent())) {
            plain.initialize();
            McpError error = McpServerTests.catchMcpError(() -> plain.callTool(call("CT head", meta)));
            assertThat(error.getJsonRpcError().code()).isEqualTo(-32042);
            JsonNode data = JSON.valueToTree(error.getJsonRpcError().data());
            JsonNode elicitation = data.get("elicitations").get(0);
            assertThat(elicitation.get("mode").asString()).isEqualTo("url");
            String id = elicitation.get("elicitationId").asString();
            assertThat(elicitation.get("url").asString()).isEqualTo(client.base() + "/portal/approvals/calls/" + id);
            assertThat(elicitation.get("message").asString()).contains("io.warden/approval");

            approve(id);
            Map<String, Object> approved = new HashMap<>(meta);
            approved.put("io.warden/approval", id);
            CallToolResult served = plain.callTool(call("CT head", approved));
            assertThat(served.isError()).as(String.valueOf(served.content())).isFalse();
            assertThat(audited("approval.used", id)).isEqualTo(1);
        }
    }

    static CallToolRequest call(String text, Map<String, Object> meta) {
        return CallToolRequest.builder("text-search")
                .arguments(Map.of("collection", "approval-notes", "text", text, "k", 2))
                .meta(meta)
                .build();
    }

    static void approve(String id) {
        var approved =
                client.call("POST", "/api/v1/approvals/calls/" + id + "/approve", compliance(), "{\"reason\":\"ok\"}");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
    }
}
