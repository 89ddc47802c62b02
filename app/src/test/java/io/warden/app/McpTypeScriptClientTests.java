package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A second, independent MCP client against {@code /mcp}: the TypeScript SDK from the npm registry, pinned
 * ({@value #SDK}), run by Node.js as an agent would run it (script {@code src/test/resources/mcp-ts/client.mjs}). It
 * lists the agent's tools and calls one with the purpose, dataset and trace id in {@code _meta}. Node.js and npm must
 * be on the PATH ({@code .ci/run} installs them); without them this test fails rather than skips.
 */
class McpTypeScriptClientTests extends IntegrationTest {

    static final String SDK = "@modelcontextprotocol/sdk@1.32.2";
    static final Path DIR = Path.of("target/mcp-ts");
    static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

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

    @Test
    void theTypeScriptSdkListsAndCallsAGrantedToolThroughWarden() throws Exception {
        Path script = installed();
        McpServerTests.Agent agent = McpServerTests.textSearchAgent();

        JsonNode seen = run(script, agent.token(), """
                {"io.warden/purposeOfUse":"TREAT","io.warden/dataset":"imaging-ct-deid","traceId":"ts-trace-1"}""");
        assertThat(seen.get("protocolVersion").asString()).isEqualTo("2025-11-25");
        assertThat(seen.get("serverName").asString()).isEqualTo("warden");
        assertThat(seen.get("sessionId").asString()).isNotBlank();
        List<String> tools = new ArrayList<>();
        seen.get("tools").forEach(tool -> tools.add(tool.get("name").asString()));
        assertThat(tools).containsExactly("text-search");
        assertThat(seen.get("tools").get(0).get("inputSchema").get("properties").has("collection"))
                .isTrue();
        JsonNode result = seen.get("result");
        assertThat(result.path("isError").asBoolean(false))
                .as(result.toString())
                .isFalse();
        assertThat(result.get("structuredContent").get("hits").size()).isPositive();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JsonNode> records = new ArrayList<>();
            client.get("/api/v1/audit/events?agent=" + agent.clientId() + "&limit=50", compliance())
                    .json()
                    .get("items")
                    .forEach(item -> {
                        if (item.get("action").asString().startsWith("gateway.")) {
                            records.add(item);
                        }
                    });
            assertThat(records)
                    .extracting(item -> item.get("action").asString())
                    .containsExactlyInAnyOrder("gateway.decision", "gateway.outcome");
            assertThat(records).allSatisfy(item -> {
                assertThat(item.get("details").get("edge").asString()).isEqualTo("MCP");
                assertThat(item.get("details").get("traceId").asString()).isEqualTo("ts-trace-1");
            });
        });
    }

    @Test
    void aDenialReachesTheTypeScriptSdkAsAToolErrorWithTheReasonCodes() throws Exception {
        Path script = installed();
        McpServerTests.Agent agent = McpServerTests.textSearchAgent();

        JsonNode result = run(script, agent.token(), """
                        {"io.warden/purposeOfUse":"TREAT","io.warden/dataset":"dermatology-phi"}""").get("result");
        assertThat(result.get("isError").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.get("structuredContent").get("reasons").toString()).contains("SCOPE_NOT_GRANTED");
        assertThat(result.get("content").get(0).get("text").asString()).contains("SCOPE_NOT_GRANTED");
    }

    /** Runs the script for text-search with this {@code _meta}; what it printed. */
    static JsonNode run(Path script, String token, String meta) throws Exception {
        Path out = Files.createTempFile(DIR, "run", ".json");
        Path err = Files.createTempFile(DIR, "run", ".log");
        ProcessBuilder builder = new ProcessBuilder(
                        "node",
                        script.getFileName().toString(),
                        McpServerTests.BASE + "/mcp",
                        "text-search",
                        "{\"collection\":\"mcp-notes\",\"text\":\"CT chest\",\"k\":2}",
                        meta)
                .directory(DIR.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put("WARDEN_TOKEN", token);
        Process node = start(builder);
        if (!node.waitFor(60, TimeUnit.SECONDS)) {
            node.destroyForcibly();
            throw new AssertionError("The TypeScript client did not finish in 60 s; its log: " + err);
        }
        assertThat(node.exitValue())
                .as("the TypeScript client's exit status; its log:%n%s", Files.readString(err, StandardCharsets.UTF_8))
                .isZero();
        return JSON.readTree(Files.readString(out, StandardCharsets.UTF_8));
    }

    /**
     * The SDK installed from the npm registry under {@code target/mcp-ts} (once; later runs reuse it) and the
     * client script beside it, where Node resolves the SDK's imports.
     */
    static synchronized Path installed() throws Exception {
        Files.createDirectories(DIR);
        Path installed = DIR.resolve("node_modules/@modelcontextprotocol/sdk/package.json");
        String version = SDK.substring(SDK.lastIndexOf('@') + 1);
        if (!Files.exists(installed)
                || !JSON.readTree(Files.readString(installed, StandardCharsets.UTF_8))
                        .path("version")
                        .asString("")
                        .equals(version)) {
            Path log = DIR.resolve("npm-install.log");
            Process npm = start(new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", SDK)
                    .directory(DIR.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile()));
            if (!npm.waitFor(5, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new AssertionError("npm install " + SDK + " did not finish in 5 minutes; its log: " + log);
            }
            assertThat(npm.exitValue())
                    .as("npm install %s; its log:%n%s", SDK, Files.readString(log, StandardCharsets.UTF_8))
                    .isZero();
        }
        Path script = DIR.resolve("client.mjs");
        try (InputStream in = Objects.requireNonNull(
                McpTypeScriptClientTests.class.getResourceAsStream("/mcp-ts/client.mjs"), "mcp-ts/client.mjs")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        return script;
    }

    private static Process start(ProcessBuilder builder) {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new AssertionError(
                    "The TypeScript MCP client needs Node.js and npm on the PATH (.ci/run installs them): "
                            + e.getMessage(),
                    e);
        }
    }
}
