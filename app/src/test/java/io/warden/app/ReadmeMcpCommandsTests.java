package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The README's "Agents over MCP" commands work as written against a running Warden: the first bash block of that
 * section is run with bash (curl, bin/warden-token), pointed at this test's Warden instead of localhost:8080.
 */
class ReadmeMcpCommandsTests extends IntegrationTest {

    private static final Pattern BLOCK = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL);

    @Test
    void theReadmesMcpSessionListsTheDemoAgentsToolsAndMakesAnAuditedCall() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("## Agents over MCP");
        assertThat(section).as("the README has the section").isPositive();
        Matcher block = BLOCK.matcher(readme);
        assertThat(block.find(section)).isTrue();
        String script = "set -euo pipefail\n" + block.group(1).replace("http://localhost:8080", client.base());

        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script)
                .directory(Path.of("..").toFile())
                .redirectErrorStream(true);
        builder.environment().put("WARDEN_URL", client.base());
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(out).isZero();

        // tools/list: the demo retrieval agent's two grants, each with its input schema
        assertThat(out).as(out).contains("\"id\":2", "\"name\":\"text-search\"", "\"name\":\"image-search\"");
        assertThat(out).contains("\"inputSchema\"");
        assertThat(out).as("nothing the agent is not granted").doesNotContain("\"name\":\"cohort-search\"");
        // tools/call: answered as a JSON-RPC result (a tool result or a tool error), never a protocol error
        assertThat(out).contains("\"id\":3,\"result\"").doesNotContain("\"error\":{\"code\"");

        // the call is in the audit trail with the MCP edge and the README's trace id
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode items = client.get(
                            "/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.decision&limit=20",
                            compliance())
                    .json()
                    .get("items");
            assertThat(items).anySatisfy(item -> {
                assertThat(item.get("details").get("edge").asString()).isEqualTo("MCP");
                assertThat(item.get("details").get("traceId").asString()).isEqualTo("readme-1");
            });
        });
    }
}
