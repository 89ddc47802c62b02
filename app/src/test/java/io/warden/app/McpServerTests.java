package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import tools.jackson.databind.JsonNode;

/**
 * The MCP server at {@code /mcp} through the real app, with the MCP Java SDK's client as an agent would use it:
 * protocol negotiation, a tool list of granted tools only, governed and audited calls, denials as tool errors,
 * list_changed after a grant and a kill switch, a kill switch stopping a call in flight, cancellation, and the MCP
 * authorization rules (401 with the protected resource metadata, RFC 9728).
 */
class McpServerTests extends IntegrationTest {

    static final String BASE = "http://localhost:" + PORT;
    static final Map<String, Object> TREAT_CT =
            Map.of("io.warden/purposeOfUse", "TREAT", "io.warden/dataset", "imaging-ct-deid");

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @Autowired
    JWKSource<SecurityContext> signingKeys;

    record Agent(String id, String clientId, String token) {}

    @BeforeEach
    void collection() {
        collections.replace(
                "mcp-notes",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(
                        embedder,
                        List.of(
                                new TextItem("n1", "CT chest axial", Map.of("dataset", "imaging-ct-deid")),
                                new TextItem("n2", "CT head", Map.of("dataset", "imaging-ct-deid")))));
        governedCollection("mcp-notes", "imaging-ct-deid");
    }

    /** A fresh active agent granted text-search on imaging-ct-deid for TREAT, and its token. */
    static Agent textSearchAgent() {
        return textSearchAgent("TREAT");
    }

    /** A fresh active agent granted text-search on imaging-ct-deid for these purposes, and its token. */
    static Agent textSearchAgent(String... purposes) {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"MCP agent %s","kind":"RETRIEVAL","purpose":"p","dataScopes":["imaging-ct-deid"],
                 "tools":["text-search"],"purposesOfUse":%s}""".formatted(
                        UUID.randomUUID(), WardenClient.JSON.writeValueAsString(purposes)));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        approvePending(id);
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
        return new Agent(id, clientId, client.agentToken(clientId, secret(clientId)));
    }

    static String secret(String clientId) {
        try {
            return Files.readString(DATA.resolve("secrets").resolve(clientId + ".secret"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void approvePending(String agentId) {
        JsonNode pending = client.get("/api/v1/approvals?status=PENDING&agentId=" + agentId, admin())
                .json()
                .get("items")
                .get(0);
        var decided = client.call(
                "POST",
                "/api/v1/approvals/" + pending.get("id").asString() + "/approve",
                admin(),
                "{\"reason\":\"reviewed\"}");
        assertThat(decided.status()).as(decided.body()).isEqualTo(200);
    }

    static McpSyncClient mcp(String token, List<String> versions, List<List<Tool>> changes) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(BASE)
                .endpoint("/mcp")
                .supportedProtocolVersions(versions)
                .httpRequestCustomizer(
                        (builder, method, uri, body, context) -> builder.header("Authorization", "Bearer " + token))
                .build();
        return McpClient.sync(transport)
                .clientInfo(new McpSchema.Implementation("warden-tests", "1.0"))
                .requestTimeout(Duration.ofSeconds(20))
                .toolsChangeConsumer(changes::add)
                .build();
    }

    static McpSyncClient mcp(String token) {
        return mcp(token, List.of("2025-06-18", "2025-11-25"), new CopyOnWriteArrayList<>());
    }

    static List<String> names(List<Tool> tools) {
        return tools.stream().map(Tool::name).toList();
    }

    static CallToolRequest search(String text, Map<String, Object> meta) {
        return tool("text-search", text, meta);
    }

    static CallToolRequest tool(String name, String text, Map<String, Object> meta) {
        return CallToolRequest.builder(name)
                .arguments(Map.of("collection", "mcp-notes", "text", text, "k", 2))
                .meta(meta)
                .build();
    }

    @Test
    void initializeOffersTheNewestRevisionAndNegotiatesDownForA20250618Client() {
        try (McpSyncClient newest = mcp(agent())) {
            McpSchema.InitializeResult result = newest.initialize();
            assertThat(result.protocolVersion()).isEqualTo("2025-11-25");
            assertThat(result.serverInfo().name()).isEqualTo("warden");
            assertThat(result.capabilities().tools().listChanged()).isTrue();
        }
        try (McpSyncClient older = mcp(agent(), List.of("2025-06-18"), new CopyOnWriteArrayList<>())) {
            assertThat(older.initialize().protocolVersion()).isEqualTo("2025-06-18");
        }
    }

    @Test
    void anAgentListsOnlyItsGrantedToolsAndAHiddenToolIsAnsweredAsUnknown() {
        Agent agent = textSearchAgent();
        try (McpSyncClient mcp = mcp(agent.token())) {
            mcp.initialize();
            assertThat(names(mcp.listTools().tools())).containsExactly("text-search");
            Tool tool = mcp.listTools().tools().getFirst();
            assertThat(String.valueOf(tool.inputSchema().get("properties"))).contains("collection");

            McpError hidden = catchMcpError(() -> mcp.callTool(tool("classify", "x", TREAT_CT)));
            McpError unknown = catchMcpError(() -> mcp.callTool(tool("no-such-tool", "x", TREAT_CT)));
            assertThat(hidden.getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.INVALID_PARAMS);
            assertThat(hidden.getJsonRpcError().message())
                    .isEqualTo(unknown.getJsonRpcError().message());
            assertThat(String.valueOf(hidden.getJsonRpcError().data())).isEqualTo("Tool not found: classify");
        }
    }

    @Test
    void aGrantedCallPassesThePipelineAndIsAudited() {
        Agent agent = textSearchAgent();
        try (McpSyncClient mcp = mcp(agent.token())) {
            mcp.initialize();
            Map<String, Object> meta = Map.of(
                    "io.warden/purposeOfUse",
                    "TREAT",
                    "io.warden/dataset",
                    "imaging-ct-deid",
                    "traceparent",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            CallToolResult result = mcp.callTool(search("CT chest", meta));
            assertThat(result.isError()).as(String.valueOf(result)).isFalse();
            assertThat(result.structuredContent()).isInstanceOf(Map.class);
            assertThat(((Map<?, ?>) result.structuredContent()).get("hits"))
                    .asInstanceOf(InstanceOfAssertFactories.LIST)
                    .isNotEmpty();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode items = client.get("/api/v1/audit/events?agent=" + agent.clientId() + "&limit=50", compliance())
                    .json()
                    .get("items");
            assertThat(items)
                    .extracting(item -> item.get("action").asString())
                    .contains("gateway.decision", "gateway.outcome");
            for (JsonNode item : items) {
                if (item.get("action").asString().startsWith("gateway.")) {
                    JsonNode details = item.get("details");
                    assertThat(details.get("edge").asString())
                            .as(item.toString())
                            .isEqualTo("MCP");
                    assertThat(details.get("traceId").asString())
                            .as("the trace id of the traceparent in _meta")
                            .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
                }
            }
        });
    }

    /**
     * A delegated bearer token (the agent exchanged a person's token, RFC 8693) over MCP: the call is decided on the
     * person's entitlements as well as the agent's grants, and its records name the person and the delegation. Olivia
     * holds the de-identified CT scope for research (HRESCH) through her directory group, not for treatment; Ada holds
     * nothing, so a call for her is a tool error while the agent's own token is served.
     */
    @Test
    void aDelegatedCallIsDecidedOnThePersonTooAndItsRecordsNameThePersonAndTheDelegation() {
        Agent agent = textSearchAgent("TREAT", "HRESCH");
        String secret = secret(agent.clientId());
        String olivia = "3f1c2a9e-7b1d-4e0a-9c11-000000000a03";
        String ada = "3f1c2a9e-7b1d-4e0a-9c11-000000000a01";
        String forOlivia = delegated(agent.clientId(), secret, "olivia.owner");
        String forAda = delegated(agent.clientId(), secret, "ada.admin");
        String oliviaTrace = "obo-olivia-" + UUID.randomUUID();
        String adaTrace = "obo-ada-" + UUID.randomUUID();
        String agentTrace = "obo-agent-" + UUID.randomUUID();

        try (McpSyncClient mcp = mcp(forOlivia)) {
            mcp.initialize();
            assertThat(names(mcp.listTools().tools()))
                    .as("the delegated token lists the agent's tools")
                    .containsExactly("text-search");
            CallToolResult served = mcp.callTool(search("CT chest", research(oliviaTrace)));
            assertThat(served.isError()).as(String.valueOf(served)).isFalse();
            assertThat(((Map<?, ?>) served.structuredContent()).get("hits"))
                    .asInstanceOf(InstanceOfAssertFactories.LIST)
                    .isNotEmpty();
            CallToolResult treatment = mcp.callTool(search("CT chest", TREAT_CT));
            assertThat(treatment.isError())
                    .as("the agent may treat, Olivia may not")
                    .isTrue();
            assertThat(((Map<?, ?>) treatment.structuredContent()).get("reasons"))
                    .isEqualTo(List.of("PERSON_PURPOSE_NOT_ENTITLED"));
        }
        try (McpSyncClient mcp = mcp(forAda)) {
            mcp.initialize();
            CallToolResult refused = mcp.callTool(search("CT chest", research(adaTrace)));
            assertThat(refused.isError()).as(String.valueOf(refused)).isTrue();
            assertThat(((Map<?, ?>) refused.structuredContent()).get("reasons"))
                    .isEqualTo(List.of("PERSON_SCOPE_NOT_ENTITLED"));
            assertThat(((McpSchema.TextContent) refused.content().getFirst()).text())
                    .contains("PERSON_SCOPE_NOT_ENTITLED");
        }
        try (McpSyncClient mcp = mcp(agent.token())) {
            mcp.initialize();
            CallToolResult alone = mcp.callTool(search("CT chest", research(agentTrace)));
            assertThat(alone.isError())
                    .as("the agent alone may read it: " + alone)
                    .isFalse();
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, List<JsonNode>> byTrace = new HashMap<>();
            client.get("/api/v1/audit/events?agent=" + agent.clientId() + "&limit=50", compliance())
                    .json()
                    .get("items")
                    .forEach(item -> {
                        if (item.get("action").asString().startsWith("gateway.")) {
                            byTrace.computeIfAbsent(
                                            item.path("details").path("traceId").asString(""),
                                            trace -> new ArrayList<>())
                                    .add(item);
                        }
                    });
            assertThat(byTrace.getOrDefault(oliviaTrace, List.of()))
                    .extracting(item -> item.get("action").asString())
                    .containsExactlyInAnyOrder("gateway.decision", "gateway.outcome");
            assertThat(byTrace.get(oliviaTrace)).allSatisfy(item -> {
                assertThat(item.get("actor").get("id").asString()).isEqualTo(agent.clientId());
                assertThat(item.get("details").get("edge").asString()).isEqualTo("MCP");
                assertThat(item.get("details").path("onBehalfOf").asString("")).isEqualTo(olivia);
                assertThat(item.get("details").path("delegation").asString("")).isEqualTo("token-exchange");
            });
            assertThat(byTrace.getOrDefault(adaTrace, List.of()))
                    .singleElement()
                    .satisfies(item -> {
                        assertThat(item.get("action").asString()).isEqualTo("gateway.decision");
                        assertThat(item.path("decision").asString("")).isEqualTo("DENY");
                        assertThat(item.get("details").path("onBehalfOf").asString(""))
                                .isEqualTo(ada);
                        assertThat(item.get("details").path("delegation").asString(""))
                                .isEqualTo("token-exchange");
                    });
            assertThat(byTrace.getOrDefault(agentTrace, List.of())).isNotEmpty().allSatisfy(item -> {
                assertThat(item.get("details").has("onBehalfOf")).isFalse();
                assertThat(item.get("details").has("delegation")).isFalse();
            });
        });
    }

    /** The agent's token for a person, exchanged as an agent does it. */
    static String delegated(String clientId, String secret, String username) {
        var exchanged = TokenExchangeTests.exchange(clientId, secret, client.signIn(username, "warden-demo"));
        assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);
        return exchanged.json().get("access_token").asString();
    }

    static Map<String, Object> research(String traceId) {
        return Map.of("io.warden/purposeOfUse", "HRESCH", "io.warden/dataset", "imaging-ct-deid", "traceId", traceId);
    }

    /** A plain {@code traceId} in {@code _meta} is recorded too; a malformed one is dropped, not copied. */
    @Test
    void aCallsTraceIdFromMetaIsRecordedAndAMalformedOneIsNot() {
        Agent agent = textSearchAgent();
        try (McpSyncClient mcp = mcp(agent.token())) {
            mcp.initialize();
            Map<String, Object> traced = new HashMap<>(TREAT_CT);
            traced.put("traceId", "mcp-trace-1");
            assertThat(mcp.callTool(search("CT chest", traced)).isError()).isFalse();
            Map<String, Object> malformed = new HashMap<>(TREAT_CT);
            malformed.put("traceId", "bad trace\nid");
            assertThat(mcp.callTool(search("CT head", malformed)).isError()).isFalse();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JsonNode> records = new ArrayList<>();
            client.get("/api/v1/audit/events?agent=" + agent.clientId() + "&limit=50", compliance())
                    .json()
                    .get("items")
                    .forEach(item -> {
                        if (item.get("action").asString().startsWith("gateway.")) {
                            records.add(item.get("details"));
                        }
                    });
            assertThat(records)
                    .hasSize(4)
                    .allSatisfy(details ->
                            assertThat(details.get("edge").asString()).isEqualTo("MCP"));
            assertThat(records)
                    .filteredOn(details -> details.hasNonNull("traceId"))
                    .extracting(details -> details.get("traceId").asString())
                    .containsExactly("mcp-trace-1", "mcp-trace-1");
        });
    }

    @Test
    void aDenialIsAToolErrorCarryingTheReasonCodes() {
        Agent agent = textSearchAgent();
        try (McpSyncClient mcp = mcp(agent.token())) {
            mcp.initialize();
            CallToolResult denied = mcp.callTool(search(
                    "lesion", Map.of("io.warden/purposeOfUse", "TREAT", "io.warden/dataset", "dermatology-phi")));
            assertThat(denied.isError()).isTrue();
            Map<?, ?> structured = (Map<?, ?>) denied.structuredContent();
            assertThat(String.valueOf(structured.get("reasons"))).contains("SCOPE_NOT_GRANTED");
            assertThat(structured.get("kind")).isEqualTo("FORBIDDEN");
            assertThat(((McpSchema.TextContent) denied.content().getFirst()).text())
                    .contains("SCOPE_NOT_GRANTED");
        }
    }

    @Test
    void aGrantChangeSendsListChangedAndTheNewToolIsListed() {
        Agent agent = textSearchAgent();
        List<List<Tool>> changes = new CopyOnWriteArrayList<>();
        try (McpSyncClient mcp = mcp(agent.token(), List.of("2025-11-25"), changes)) {
            mcp.initialize();
            assertThat(names(mcp.listTools().tools())).containsExactly("text-search");
            var request = client.call(
                    "POST",
                    "/api/v1/agents/" + agent.id() + "/change-requests",
                    owner(),
                    "{\"addTools\":[\"classify\"],\"justification\":\"triage\"}");
            assertThat(request.status()).as(request.body()).isEqualTo(201);
            var decided = client.call(
                    "POST",
                    "/api/v1/approvals/" + request.json().get("id").asString() + "/approve",
                    admin(),
                    "{\"reason\":\"fine\"}");
            assertThat(decided.status()).as(decided.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(changes)
                            .anySatisfy(tools -> assertThat(names(tools)).contains("classify", "text-search")));
        }
    }

    @Test
    void aToolKillSwitchSendsListChangedAndHidesTheTool() {
        Agent agent = textSearchAgent();
        List<List<Tool>> changes = new CopyOnWriteArrayList<>();
        try (McpSyncClient mcp = mcp(agent.token(), List.of("2025-11-25"), changes)) {
            mcp.initialize();
            assertThat(names(mcp.listTools().tools())).containsExactly("text-search");
            String switchId = engageToolSwitch("text-search");
            boolean released = false;
            try {
                await().atMost(Duration.ofSeconds(15))
                        .untilAsserted(() -> assertThat(changes)
                                .anySatisfy(tools -> assertThat(names(tools)).doesNotContain("text-search")));
                assertThat(mcp.listTools().tools()).isEmpty();

                int heard = changes.size();
                release(switchId);
                released = true;
                await().atMost(Duration.ofSeconds(15))
                        .alias("list_changed when the switch is released, and the tool is back")
                        .untilAsserted(() -> assertThat(changes.subList(heard, changes.size()))
                                .anySatisfy(tools -> assertThat(names(tools)).containsExactly("text-search")));
            } finally {
                if (!released) {
                    release(switchId);
                }
            }
        }
    }

    /**
     * A change is told only to the sessions whose tool list it changes: another agent's session, whose list stays
     * the same, hears nothing.
     */
    @Test
    void listChangedGoesOnlyToSessionsWhoseListChanged() {
        Agent granted = textSearchAgent();
        Agent bystander = textSearchAgent();
        List<List<Tool>> grantedChanges = new CopyOnWriteArrayList<>();
        List<List<Tool>> bystanderChanges = new CopyOnWriteArrayList<>();
        try (McpSyncClient first = mcp(granted.token(), List.of("2025-11-25"), grantedChanges);
                McpSyncClient second = mcp(bystander.token(), List.of("2025-11-25"), bystanderChanges)) {
            first.initialize();
            second.initialize();
            assertThat(names(first.listTools().tools())).containsExactly("text-search");
            assertThat(names(second.listTools().tools())).containsExactly("text-search");
            bystanderChanges.clear();
            var request = client.call(
                    "POST",
                    "/api/v1/agents/" + granted.id() + "/change-requests",
                    owner(),
                    "{\"addTools\":[\"classify\"],\"justification\":\"triage\"}");
            assertThat(request.status()).as(request.body()).isEqualTo(201);
            var decided = client.call(
                    "POST",
                    "/api/v1/approvals/" + request.json().get("id").asString() + "/approve",
                    admin(),
                    "{\"reason\":\"fine\"}");
            assertThat(decided.status()).as(decided.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(grantedChanges)
                            .anySatisfy(tools -> assertThat(names(tools)).contains("classify")));
            // the same round would have told the bystander; give its notification time to arrive
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(2))
                    .untilAsserted(() -> assertThat(bystanderChanges).isEmpty());
        }
    }

    @Test
    void aKillSwitchEngagedDuringACallStopsItWithAKillSwitchToolError() throws Exception {
        Agent agent = textSearchAgent();
        // The blocking call runs on a thread of its own, not on the common pool: the JDK's HttpClient completes every
        // sendAsync (all of the SDK client's requests) on the common pool, which has one thread on a 2-core machine,
        // so a call blocking that thread would hold back its own answer until the client closed.
        try (McpSyncClient mcp = mcp(agent.token());
                ExecutorService caller = Executors.newVirtualThreadPerTaskExecutor()) {
            mcp.initialize();
            HeldRetrievals.HELD.drainPermits();
            CompletableFuture<CallToolResult> call =
                    CompletableFuture.supplyAsync(() -> mcp.callTool(search(HeldRetrievals.HOLD, TREAT_CT)), caller);
            assertThat(HeldRetrievals.HELD.tryAcquire(10, TimeUnit.SECONDS))
                    .as("the call reached the retrieval service")
                    .isTrue();
            String switchId = engageToolSwitch("text-search");
            try {
                CallToolResult result = call.get(10, TimeUnit.SECONDS);
                assertThat(result.isError()).isTrue();
                assertThat(String.valueOf(((Map<?, ?>) result.structuredContent()).get("reasons")))
                        .contains("KILL_SWITCH");
            } finally {
                release(switchId);
            }
        }
    }

    /**
     * The SDK ignores {@code notifications/cancelled}; Warden interrupts the call it names. Raw JSON-RPC, since the
     * Java client cannot send the notification.
     */
    @Test
    void notificationsCancelledStopsTheCallItNames() throws Exception {
        Agent agent = textSearchAgent();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> init = http.send(rpc(agent.token(), null, """
                        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                         "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"""), HttpResponse.BodyHandlers.ofString());
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        http.send(
                rpc(agent.token(), session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
                HttpResponse.BodyHandlers.ofString());
        HeldRetrievals.HELD.drainPermits();
        int interruptedBefore = HeldRetrievals.INTERRUPTED.get();
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> call = http.sendAsync(
                rpc(agent.token(), session, """
                        {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"text-search",
                         "arguments":{"collection":"mcp-notes","text":"%s"},
                         "_meta":{"io.warden/purposeOfUse":"TREAT","io.warden/dataset":"imaging-ct-deid"}}}""".formatted(HeldRetrievals.HOLD)), HttpResponse.BodyHandlers.ofString());
        assertThat(HeldRetrievals.HELD.tryAcquire(10, TimeUnit.SECONDS)).isTrue();

        Agent other = textSearchAgent();
        var foreign = http.send(rpc(other.token(), session, """
                        {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}"""), HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode())
                .as("another agent's session is unknown to it")
                .isEqualTo(404);

        var cancelled = http.send(rpc(agent.token(), session, """
                        {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"user"}}"""), HttpResponse.BodyHandlers.ofString());
        assertThat(cancelled.statusCode()).isEqualTo(202);
        call.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("answered before the held call's 4 s")
                .isLessThan(Duration.ofMillis(3500));
        // the answer can leave before the interrupted retrieval thread has counted its interruption
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(HeldRetrievals.INTERRUPTED.get()).isGreaterThan(interruptedBefore));
    }

    @Test
    void withoutAValidTokenMcpAnswers401NamingTheProtectedResourceMetadata() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String initialize = """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";
        String metadata = "resource_metadata=\"" + BASE + "/.well-known/oauth-protected-resource\"";

        HttpResponse<String> none = http.send(
                HttpRequest.newBuilder(URI.create(BASE + "/mcp"))
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json, text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString(initialize))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate").orElseThrow())
                .startsWith("Bearer")
                .contains(metadata);

        for (String token : List.of("not-a-token", expiredToken())) {
            HttpResponse<String> bad = http.send(rpc(token, null, initialize), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(401);
            assertThat(bad.headers().firstValue("WWW-Authenticate").orElseThrow())
                    .contains("error=\"invalid_token\"")
                    .contains(metadata);
        }

        try (McpSyncClient mcp = mcp(expiredToken())) {
            assertThatThrownBy(mcp::initialize).hasStackTraceContaining("401");
        }
    }

    @Test
    void peopleAndForeignBrowserOriginsAreRefused() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String initialize = """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";
        assertThat(http.send(rpc(admin(), null, initialize), HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .as("only agents use /mcp")
                .isEqualTo(403);
        HttpRequest rebound = HttpRequest.newBuilder(URI.create(BASE + "/mcp"))
                .header("Authorization", "Bearer " + agent())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("Origin", "http://attacker.example")
                .POST(HttpRequest.BodyPublishers.ofString(initialize))
                .build();
        assertThat(http.send(rebound, HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("DNS rebinding: a page from another origin")
                .isEqualTo(403);
    }

    @Test
    void theProtectedResourceMetadataNamesTheIssuer() {
        for (String path :
                List.of("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp")) {
            var document = client.get(path, null);
            assertThat(document.status()).as(document.body()).isEqualTo(200);
            JsonNode json = document.json();
            assertThat(json.get("resource").asString())
                    .isEqualTo(BASE + path.replace("/.well-known/oauth-protected-resource", ""));
            assertThat(json.get("authorization_servers").get(0).asString()).isEqualTo(BASE);
            assertThat(json.get("bearer_methods_supported").toString()).isEqualTo("[\"header\"]");
        }
    }

    private String expiredToken() {
        Instant now = Instant.now();
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .issuer(BASE)
                .subject("demo-retrieval-agent")
                .audience(List.of("api://warden"))
                .issuedAt(now.minus(Duration.ofHours(2)))
                .expiresAt(now.minus(Duration.ofHours(1)))
                .claim("client_id", "demo-retrieval-agent")
                .build();
        return new NimbusJwtEncoder(signingKeys)
                .encode(JwtEncoderParameters.from(claims))
                .getTokenValue();
    }

    static HttpRequest rpc(String token, @Nullable String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(BASE + "/mcp"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return request.build();
    }

    static String engageToolSwitch(String tool) {
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"TOOL\",\"target\":\"" + tool + "\",\"reason\":\"mcp test\"}");
        assertThat(engaged.status()).as(engaged.body()).isIn(200, 201);
        return engaged.json().get("id").asString();
    }

    static void release(String switchId) {
        var released = client.call(
                "POST", "/api/v1/kill-switches/" + switchId + "/release", admin(), "{\"reason\":\"test over\"}");
        assertThat(released.status()).as(released.body()).isLessThan(300);
    }

    static McpError catchMcpError(Runnable call) {
        try {
            call.run();
        } catch (McpError e) {
            return e;
        }
        throw new AssertionError("expected an MCP error");
    }
}
