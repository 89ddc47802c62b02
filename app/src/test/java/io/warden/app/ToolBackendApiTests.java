package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Tool backends through the real app: admins keep the egress allowlist and the MCP servers, and save MCP and HTTP
 * tools; a host off the allowlist, a placeholder in a host, a bad schema or a missing server is a problem naming the
 * field; versions guard against lost updates; every change is audited by the names of secrets, never their values;
 * other people are refused.
 */
class ToolBackendApiTests extends IntegrationTest {

    private final String id = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void anAdminAllowsAHostRegistersAServerAndSavesMcpAndHttpToolsAndEveryChangeIsAudited() {
        String host = "api-" + id + ".example.org";
        var refused = client.call("POST", "/api/v1/mcp-servers", admin(), server("fhir-" + id, host, 1));
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("field").asString()).isEqualTo("url");

        var allowed = client.call("POST", "/api/v1/egress-hosts", admin(), """
                {"host":"*.%s","allowPrivate":false,"reason":"the FHIR API"}""".formatted(host));
        assertThat(allowed.status()).as(allowed.body()).isEqualTo(201);
        assertThat(client.get("/api/v1/egress-hosts", admin()).body()).contains("*." + host);

        var created = client.call("POST", "/api/v1/mcp-servers", admin(), server("fhir-" + id, "mcp." + host, 1));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("auth").get("secret").asString()).isEqualTo("fhir-token");
        assertThat(created.json().get("version").asLong()).isEqualTo(1);

        var stale = client.call("PUT", "/api/v1/mcp-servers/fhir-" + id, admin(), update("mcp." + host, true, 7));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.json().get("field").asString()).isEqualTo("version");
        var changed = client.call("PUT", "/api/v1/mcp-servers/fhir-" + id, admin(), update("mcp." + host, true, 1));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("version").asLong()).isEqualTo(2);

        var mcpTool = client.call("POST", "/api/v1/tools", admin(), """
                {"key":"patient-history-%s","displayName":"Patient history","backend":{"kind":"MCP","server":"fhir-%s",
                 "upstreamTool":"get_history"},"maxK":10,"sensitivity":"HIGHLY_CONFIDENTIAL",
                 "inputSchema":{"type":"object","properties":{"patient":{"type":"string"}}},
                 "dataScopes":["imaging-ct-deid"],"storePayloads":false}""".formatted(id, id));
        assertThat(mcpTool.status()).as(mcpTool.body()).isEqualTo(201);
        JsonNode target = mcpTool.json().get("target");
        assertThat(target.get("kind").asString()).isEqualTo("MCP");
        assertThat(target.get("phiApproved").asBoolean())
                .as("from the server's row")
                .isTrue();
        assertThat(mcpTool.json().get("inputSchema").asString()).contains("\"patient\"");

        var inUse = client.call("DELETE", "/api/v1/mcp-servers/fhir-" + id + "?version=2", admin(), null);
        assertThat(inUse.status()).as(inUse.body()).isEqualTo(409);
        assertThat(inUse.body()).contains("patient-history-" + id);

        var httpTool = client.call("POST", "/api/v1/tools", admin(), """
                {"key":"trials-%s","displayName":"Trials","backend":{"kind":"HTTP","method":"get",
                 "urlTemplate":"https://trials.%s/studies/{id}?q={query}","timeoutMs":5000,
                 "maxResponseBytes":1048576,"bearerSecret":"trials-token","phiApproved":false},
                 "maxK":10,"sensitivity":"INTERNAL","inputSchema":"{\\"type\\":\\"object\\"}",
                 "dataScopes":["imaging-ct-deid"]}""".formatted(id, host));
        assertThat(httpTool.status()).as(httpTool.body()).isEqualTo(201);
        assertThat(httpTool.json().get("target").get("method").asString()).isEqualTo("GET");
        assertThat(httpTool.json().get("backend").asString()).isEqualTo("http");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String events = client.get("/api/v1/audit/events?limit=100", compliance())
                    .json()
                    .get("items")
                    .toString();
            assertThat(events)
                    .contains(
                            "egress_host.added",
                            "mcp_server.registered",
                            "mcp_server.changed",
                            "fhir-token",
                            "MCP fhir-" + id + "/get_history",
                            "trials-token");
        });
    }

    @Test
    void badBackendsAreProblemsNamingTheField() {
        String host = "bad-" + id + ".example.org";
        assertThat(client.call("POST", "/api/v1/egress-hosts", admin(), """
                        {"host":"%s","allowPrivate":false,"reason":"tests"}""".formatted(host))
                        .status())
                .isEqualTo(201);
        assertField(client.call("POST", "/api/v1/egress-hosts", admin(), """
                        {"host":"*.com","allowPrivate":false,"reason":"everything"}"""), 400, "host");
        assertField(client.call("POST", "/api/v1/egress-hosts", admin(), """
                        {"host":"%s","allowPrivate":true,"reason":"again"}""".formatted(host)), 409, "host");
        assertField(http("https://{host}." + host + "/x", 1000, "{\"type\":\"object\"}"), 400, "backend.urlTemplate");
        assertField(http("https://user:pw@" + host + "/x", 1000, "{\"type\":\"object\"}"), 400, "backend.urlTemplate");
        assertField(
                http("https://elsewhere-" + id + ".example.net/x", 1000, "{\"type\":\"object\"}"),
                400,
                "backend.urlTemplate");
        assertField(http("file:///etc/passwd", 1000, "{\"type\":\"object\"}"), 400, "backend.urlTemplate");
        assertField(http("https://" + host + "/x", 0, "{\"type\":\"object\"}"), 400, "backend.timeoutMs");
        assertField(http("https://" + host + "/x", 300001, "{\"type\":\"object\"}"), 400, "backend.timeoutMs");
        assertField(http("https://" + host + "/x", 1000, "{\"type\":\"array\"}"), 400, "inputSchema");
        assertField(http("https://" + host + "/x", 1000, "not json"), 400, "inputSchema");
        assertField(client.call("POST", "/api/v1/tools", admin(), """
                        {"key":"nosrv-%s","displayName":"x","backend":{"kind":"MCP","server":"no-such-%s",
                         "upstreamTool":"t"},"maxK":1,"sensitivity":"INTERNAL","inputSchema":{"type":"object"},
                         "dataScopes":["imaging-ct-deid"]}""".formatted(id, id)), 400, "backend.server");
        assertField(client.call("POST", "/api/v1/tools", admin(), """
                        {"key":"noscope-%s","displayName":"x","backend":{"kind":"HTTP","method":"GET",
                         "urlTemplate":"https://%s/x","timeoutMs":1000,"maxResponseBytes":10},"maxK":1,
                         "sensitivity":"INTERNAL","inputSchema":{"type":"object"},"dataScopes":["no-such-scope"]}""".formatted(id, host)), 400, "dataScopes");
        assertField(
                client.call("POST", "/api/v1/mcp-servers", admin(), """
                        {"key":"cc-%s","displayName":"x","url":"https://%s/mcp","phiApproved":false,
                         "auth":{"kind":"CLIENT_CREDENTIALS","secret":"s","clientId":"c",
                                 "tokenUrl":"https://idp-%s.example.net/token"}}""".formatted(id, host, id)), 400, "auth.tokenUrl");
        assertThat(client.get("/api/v1/tools/noscope-" + id, admin()).status())
                .as("nothing half-written")
                .isEqualTo(404);
    }

    @Test
    void peopleOtherThanAdminsAreRefused() {
        for (var caller : List.of(owner(), compliance(), secops())) {
            assertThat(client.get("/api/v1/mcp-servers", caller).status()).isEqualTo(403);
            assertThat(client.call("POST", "/api/v1/egress-hosts", caller, """
                            {"host":"x-%s.example.org","allowPrivate":true,"reason":"r"}""".formatted(id))
                            .status())
                    .isEqualTo(403);
        }
        assertThat(client.get("/api/v1/egress-hosts", admin()).body()).doesNotContain("x-" + id);
    }

    private WardenClient.Response http(String urlTemplate, int timeoutMs, String schema) {
        return client.call("POST", "/api/v1/tools", admin(), """
                {"key":"http-%s","displayName":"x","backend":{"kind":"HTTP","method":"POST","urlTemplate":"%s",
                 "timeoutMs":%d,"maxResponseBytes":100},"maxK":1,"sensitivity":"INTERNAL","inputSchema":%s,
                 "dataScopes":["imaging-ct-deid"]}""".formatted(id, urlTemplate, timeoutMs, quote(schema)));
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void assertField(WardenClient.Response response, int status, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.json().get("field").asString()).as(response.body()).isEqualTo(field);
    }

    private static String server(String key, String host, long unused) {
        return """
                {"key":"%s","displayName":"FHIR","url":"https://%s/mcp","phiApproved":false,
                 "auth":{"kind":"BEARER","secret":"fhir-token"}}""".formatted(key, host);
    }

    private static String update(String host, boolean phi, long version) {
        return """
                {"displayName":"FHIR server","url":"https://%s/mcp","phiApproved":%s,
                 "auth":{"kind":"BEARER","secret":"fhir-token"},"version":%d}""".formatted(host, phi, version);
    }
}
