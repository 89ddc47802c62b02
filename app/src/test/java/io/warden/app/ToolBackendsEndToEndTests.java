package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * MCP and HTTP tool backends end to end, through the real app with real peers on this machine: an upstream MCP server
 * built with the MCP Java SDK's server (embedded Tomcat) and a JSON-over-HTTP backend (the JDK's HTTP server). An
 * admin allowlists their hosts, registers the server, lists its tools live, imports one and registers an HTTP tool;
 * an agent granted both lists and calls them over REST and gets the upstreams' answers, each call audited with its
 * upstream, latency and result size; a host taken off the allowlist and a PHI dataset to a backend not approved for
 * PHI are refused.
 */
class ToolBackendsEndToEndTests extends IntegrationTest {

    private static Tomcat tomcat;
    private static int mcpPort;
    private static HttpServer http;
    private static final List<String> HTTP_BODIES = new CopyOnWriteArrayList<>();

    private final String id = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void upstreams() throws LifecycleException, IOException {
        var transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp")
                .build();
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("fhir-upstream", "1")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .tools(
                        McpServerFeatures.SyncToolSpecification.builder()
                                .tool(Tool.builder("get_history")
                                        .description("A patient's history of imaging studies")
                                        .inputSchema(Map.of(
                                                "type",
                                                "object",
                                                "properties",
                                                Map.of("patient", Map.of("type", "string")),
                                                "required",
                                                List.of("patient")))
                                        .build())
                                .callHandler((exchange, req) -> CallToolResult.builder()
                                        .addTextContent(
                                                "history of " + req.arguments().get("patient"))
                                        .structuredContent(Map.of(
                                                "patient",
                                                String.valueOf(req.arguments().get("patient")),
                                                "studies",
                                                3))
                                        .build())
                                .build(),
                        McpServerFeatures.SyncToolSpecification.builder()
                                .tool(Tool.builder("delete_everything")
                                        .description("Not for agents")
                                        .inputSchema(Map.of("type", "object"))
                                        .build())
                                .callHandler((exchange, req) -> CallToolResult.builder()
                                        .isError(true)
                                        .addTextContent("should never be called")
                                        .build())
                                .build())
                .build();
        assertThat(server).isNotNull();
        tomcat = new Tomcat();
        tomcat.setPort(0);
        tomcat.setBaseDir(Files.createTempDirectory("warden-e2e-mcp-upstream").toString());
        Context ctx = tomcat.addContext("", null);
        Tomcat.addServlet(ctx, "mcp", transport).setAsyncSupported(true);
        ctx.addServletMappingDecoded("/mcp", "mcp");
        tomcat.getConnector();
        tomcat.start();
        mcpPort = tomcat.getConnector().getLocalPort();

        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/trials", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            HTTP_BODIES.add(body);
            byte[] answer =
                    ("{\"trials\":[\"NCT-001\",\"NCT-002\"],\"asked\":" + body + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        http.start();
    }

    @AfterAll
    static void stopUpstreams() throws LifecycleException {
        http.stop(0);
        tomcat.stop();
        tomcat.destroy();
    }

    @Test
    void anAdminImportsAnMcpToolAndRegistersAnHttpToolAndAnAgentCallsBothGoverned() {
        // the admin: allowlist, server, live listing, import, HTTP tool
        allow("localhost");
        allow("127.0.0.1");
        String server = "fhir-" + id;
        var registered = client.call("POST", "/api/v1/mcp-servers", admin(), """
                {"key":"%s","displayName":"FHIR MCP","url":"http://localhost:%d/mcp","phiApproved":false}""".formatted(server, mcpPort));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);

        var listed = client.get("/api/v1/mcp-servers/" + server + "/upstream-tools", admin());
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        assertThat(listed.json().get("server").asString()).isEqualTo(server);
        JsonNode history = null;
        for (JsonNode tool : listed.json().get("tools")) {
            if (tool.get("name").asString().equals("get_history")) {
                history = tool;
            }
        }
        assertThat(history).as(listed.body()).isNotNull();
        assertThat(history.get("description").asString()).isEqualTo("A patient's history of imaging studies");
        assertThat(history.get("inputSchema").get("required").toString()).contains("patient");

        String mcpTool = "patient-history-" + id;
        var imported =
                client.call("POST", "/api/v1/mcp-servers/" + server + "/imports", admin(), """
                {"tools":[{"upstreamTool":"get_history","key":"%s","sensitivity":"CONFIDENTIAL",
                 "dataScopes":["imaging-ct-deid"],"storePayloads":true}]}""".formatted(mcpTool));
        assertThat(imported.status()).as(imported.body()).isEqualTo(201);
        JsonNode created = imported.json().get("tools").get(0);
        assertThat(created.get("key").asString()).isEqualTo(mcpTool);
        assertThat(created.get("description").asString()).isEqualTo("A patient's history of imaging studies");
        assertThat(created.get("target").get("upstreamTool").asString()).isEqualTo("get_history");
        assertThat(created.get("inputSchema").asString()).contains("\"patient\"");

        String httpTool = "trials-" + id;
        var saved = client.call("POST", "/api/v1/tools", admin(), """
                {"key":"%s","displayName":"Trial search","backend":{"kind":"HTTP","method":"POST",
                 "urlTemplate":"http://127.0.0.1:%d/trials","timeoutMs":5000,"maxResponseBytes":65536,
                 "phiApproved":false},"maxK":10,"sensitivity":"INTERNAL",
                 "inputSchema":{"type":"object","properties":{"condition":{"type":"string"}}},
                 "dataScopes":["imaging-ct-deid","dermatology-phi"]}""".formatted(
                        httpTool, http.getAddress().getPort()));
        assertThat(saved.status()).as(saved.body()).isEqualTo(201);

        // the agent: granted both through the approval flow
        Agent agent = agentGranted(List.of(mcpTool, httpTool));
        String token = agent.token();
        var tools = client.get("/gateway/v1/tools", token);
        assertThat(tools.status()).as(tools.body()).isEqualTo(200);
        assertThat(GatewayToolsTests.keys(tools.json())).contains(mcpTool, httpTool);

        var mcpAnswer = client.call("POST", "/gateway/v1/tools/" + mcpTool, token, """
                {"arguments":{"patient":"p-17"},"purposeOfUse":"TREAT"}""");
        assertThat(mcpAnswer.status()).as(mcpAnswer.body()).isEqualTo(200);
        assertThat(mcpAnswer.json().get("isError").asBoolean()).isFalse();
        assertThat(mcpAnswer.json().get("content").get(0).get("text").asString())
                .isEqualTo("history of p-17");
        assertThat(mcpAnswer.json().get("structured").get("studies").asInt()).isEqualTo(3);

        var httpAnswer = client.call("POST", "/gateway/v1/tools/" + httpTool, token, """
                {"arguments":{"condition":"melanoma"},"dataset":"imaging-ct-deid","purposeOfUse":"TREAT"}""");
        assertThat(httpAnswer.status()).as(httpAnswer.body()).isEqualTo(200);
        assertThat(httpAnswer.json().get("structured").get("trials").toString()).contains("NCT-001");
        assertThat(HTTP_BODIES).anySatisfy(body -> assertThat(body).contains("melanoma"));

        String clientId = agent.clientId();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JsonNode> outcomes = audit(clientId, "gateway.outcome");
            assertThat(audit(clientId, "gateway.decision")).hasSizeGreaterThanOrEqualTo(2);
            assertThat(outcomes).anySatisfy(o -> {
                assertThat(o.get("details").get("upstream").asString()).isEqualTo(server);
                assertThat(o.get("details").get("upstreamMicros").asLong()).isPositive();
                assertThat(o.get("details").get("resultBytes").asLong()).isPositive();
                assertThat(o.get("details").get("result").toString())
                        .as("the imported tool stores its payloads")
                        .contains("history of p-17");
            });
            assertThat(outcomes).anySatisfy(o -> {
                assertThat(o.get("details").get("upstream").asString())
                        .isEqualTo("127.0.0.1:" + http.getAddress().getPort());
                assertThat(o.get("details").get("resultBytes").asLong()).isPositive();
                assertThat(o.get("details").has("result"))
                        .as("the HTTP tool does not store payloads")
                        .isFalse();
            });
        });

        // a PHI dataset to a backend not approved for PHI
        var phi = client.call("POST", "/gateway/v1/tools/" + httpTool, token, """
                {"arguments":{"condition":"melanoma"},"dataset":"dermatology-phi","purposeOfUse":"TREAT"}""");
        assertThat(phi.status()).as(phi.body()).isEqualTo(403);
        assertThat(phi.json().get("reasons").toString()).contains("BACKEND_NOT_PHI_APPROVED");

        // hosts taken off the allowlist: the next call is refused, the MCP one although its session is open
        remove("127.0.0.1");
        var offList = client.call("POST", "/gateway/v1/tools/" + httpTool, token, """
                {"arguments":{"condition":"melanoma"},"dataset":"imaging-ct-deid","purposeOfUse":"TREAT"}""");
        assertThat(offList.status()).as(offList.body()).isEqualTo(403);
        assertThat(offList.json().get("reasons").toString()).contains("EGRESS_REFUSED");
        remove("localhost");
        var mcpOffList = client.call("POST", "/gateway/v1/tools/" + mcpTool, token, """
                {"arguments":{"patient":"p-17"},"purposeOfUse":"TREAT"}""");
        assertThat(mcpOffList.status()).as(mcpOffList.body()).isEqualTo(403);
        assertThat(mcpOffList.json().get("reasons").toString()).contains("EGRESS_REFUSED");
        var notListed = client.get("/api/v1/mcp-servers/" + server + "/upstream-tools", admin());
        assertThat(notListed.status()).as(notListed.body()).isEqualTo(503);
        assertThat(notListed.json().get("code").asString()).isEqualTo("egress-refused");
        assertThat(notListed.json().get("server").asString()).isEqualTo(server);
    }

    @Test
    void anImportIsAllOrNothingAndNamesTheEntryAtFault() {
        allow("localhost");
        String server = "fhir-aon-" + id;
        assertThat(client.call("POST", "/api/v1/mcp-servers", admin(), """
                        {"key":"%s","displayName":"FHIR MCP","url":"http://localhost:%d/mcp","phiApproved":false}""".formatted(server, mcpPort))
                        .status())
                .isEqualTo(201);
        String first = "aon-first-" + id;
        var unknownUpstream =
                client.call("POST", "/api/v1/mcp-servers/" + server + "/imports", admin(), """
                {"tools":[{"upstreamTool":"get_history","key":"%s","sensitivity":"INTERNAL","dataScopes":["imaging-ct-deid"]},
                          {"upstreamTool":"no_such_tool","key":"aon-second-%s","sensitivity":"INTERNAL",
                           "dataScopes":["imaging-ct-deid"]}]}""".formatted(first, id));
        assertThat(unknownUpstream.status()).as(unknownUpstream.body()).isEqualTo(400);
        assertThat(unknownUpstream.json().get("field").asString()).isEqualTo("tools[1].upstreamTool");

        var unknownScope =
                client.call("POST", "/api/v1/mcp-servers/" + server + "/imports", admin(), """
                {"tools":[{"upstreamTool":"get_history","key":"%s","sensitivity":"INTERNAL","dataScopes":["imaging-ct-deid"]},
                          {"upstreamTool":"get_history","key":"aon-second-%s","sensitivity":"INTERNAL",
                           "dataScopes":["no-such-scope"]}]}""".formatted(first, id));
        assertThat(unknownScope.status()).as(unknownScope.body()).isEqualTo(400);
        assertThat(unknownScope.json().get("field").asString()).isEqualTo("tools[1].dataScopes");
        assertThat(client.get("/api/v1/tools/" + first, admin()).status())
                .as("the first entry was rolled back with the second")
                .isEqualTo(404);

        var badKey = client.call("POST", "/api/v1/mcp-servers/" + server + "/imports", admin(), """
                {"tools":[{"upstreamTool":"get_history","key":"Not A Key","sensitivity":"INTERNAL",
                           "dataScopes":["imaging-ct-deid"]}]}""");
        assertThat(badKey.status()).as(badKey.body()).isEqualTo(400);
        assertThat(badKey.json().get("field").asString()).isEqualTo("tools[0].key");

        var twice =
                client.call("POST", "/api/v1/mcp-servers/" + server + "/imports", admin(), """
                {"tools":[{"upstreamTool":"get_history","key":"%s","sensitivity":"INTERNAL","dataScopes":["imaging-ct-deid"]},
                          {"upstreamTool":"get_history","key":"%s","sensitivity":"INTERNAL",
                           "dataScopes":["imaging-ct-deid"]}]}""".formatted(first, first));
        assertThat(twice.status()).as(twice.body()).isEqualTo(400);
        assertThat(twice.json().get("field").asString()).isEqualTo("tools[1].key");

        var missing = client.get("/api/v1/mcp-servers/no-such-" + id + "/upstream-tools", admin());
        assertThat(missing.status()).isEqualTo(404);
    }

    private static void allow(String host) {
        var added = client.call("POST", "/api/v1/egress-hosts", admin(), """
                {"host":"%s","allowPrivate":true,"reason":"the tests' upstreams on this machine"}""".formatted(host));
        assertThat(added.status()).as(added.body()).isIn(201, 409);
    }

    private static void remove(String host) {
        var removed = client.call("DELETE", "/api/v1/egress-hosts/" + host, admin(), null);
        assertThat(removed.status()).as(removed.body()).isIn(204, 200);
    }

    record Agent(String clientId, String token) {}

    /** A fresh agent granted {@code tools} on imaging-ct-deid for TREAT through the approval flow. */
    static Agent agentGranted(List<String> tools) {
        return agentGranted(tools, "imaging-ct-deid");
    }

    /** A fresh agent granted {@code tools} on {@code scope} for TREAT; a PHI scope is approved by compliance. */
    static Agent agentGranted(List<String> tools, String scope) {
        var registered =
                client.call("POST", "/api/v1/agents", owner(), """
                {"name":"Backends agent %s","kind":"RETRIEVAL","purpose":"p","dataScopes":["%s"],
                 "tools":%s,"purposesOfUse":["TREAT"]}""".formatted(UUID.randomUUID(), scope, json(tools)));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String agentId = registered.json().get("id").asString();
        JsonNode pending = client.get("/api/v1/approvals?status=PENDING&agentId=" + agentId, admin())
                .json()
                .get("items")
                .get(0);
        var decided = client.call(
                "POST",
                "/api/v1/approvals/" + pending.get("id").asString() + "/approve",
                scope.endsWith("-phi") ? compliance() : admin(),
                "{\"reason\":\"reviewed\"}");
        assertThat(decided.status()).as(decided.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "ACTIVE"
                        .equals(client.get("/api/v1/agents/" + agentId, admin())
                                .json()
                                .get("status")
                                .asString()));
        String clientId = client.get("/api/v1/agents/" + agentId, admin())
                .json()
                .get("clientId")
                .asString();
        try {
            String secret = Files.readString(DATA.resolve("secrets").resolve(clientId + ".secret"));
            return new Agent(clientId, client.agentToken(clientId, secret));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String json(List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").toList().toString();
    }

    private static List<JsonNode> audit(String clientId, String action) {
        JsonNode items = client.get("/api/v1/audit/events?agent=" + clientId + "&limit=100", compliance())
                .json()
                .get("items");
        List<JsonNode> matching = new ArrayList<>();
        items.forEach(item -> {
            if (item.get("action").asString().equals(action)) {
                matching.add(item);
            }
        });
        return matching;
    }
}
