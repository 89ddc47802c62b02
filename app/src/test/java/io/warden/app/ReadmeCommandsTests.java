package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's commands work as written: bin/warden-token gets tokens that the API honours, and the gateway calls
 * on the demo data, run as the README prints them, answer what the README shows.
 */
class ReadmeCommandsTests extends IntegrationTest {

    private static final String README_URL = "http://localhost:8080";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Runs the README's block of gateway calls on the demo collection: the lines before its first {@code curl} are
     * the preamble (the token), each {@code curl} up to the next is one call, run with the preamble against this
     * Warden. A call's comment lines show its answer, abbreviated: the answer's first hit must be the one shown.
     */
    @Test
    void theGatewayCallsOnTheDemoDataAnswerAsTheReadmeShows() throws Exception {
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        List<String> calls = demoCalls();
        String preamble = calls.removeFirst();
        for (String call : calls) {
            Matcher tool = Pattern.compile("/gateway/v1/([a-z-]+)").matcher(call);
            assertThat(tool.find()).as(call).isTrue();
            String out = bash(preamble + "\n" + call);
            JsonNode answer = JSON.readTree(out);
            assertThat(answer.has("hits")).as(out).isTrue();
            Matcher shown = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(comments(call));
            if (shown.find()) {
                assertThat(answer.get("hits").get(0).get("id").asString())
                        .as("the README shows the first hit of " + tool.group(1))
                        .isEqualTo(shown.group(1));
            }
            answers.put(tool.group(1), answer);
        }
        assertThat(answers).containsOnlyKeys("text-search", "classify", "cohort-search");

        assertThat(labels(Objects.requireNonNull(answers.get("text-search"))))
                .hasSize(3)
                .containsOnly("pneumothorax");
        JsonNode classify = Objects.requireNonNull(answers.get("classify"));
        Map<String, Long> votes =
                labels(classify).stream().collect(Collectors.groupingBy(label -> label, Collectors.counting()));
        String majority = votes.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
        assertThat(majority).as("the neighbours' majority").isEqualTo("pleural-effusion");
        assertThat(classify.get("label").asString())
                .as("the Top-1 label is the vote")
                .isEqualTo(majority);
        assertThat(classify.get("classification")
                        .get("labels")
                        .get(0)
                        .get("label")
                        .asString())
                .isEqualTo(majority);
        assertThat(classify.get("classification")
                        .get("labels")
                        .get(0)
                        .get("votes")
                        .asDouble())
                .isEqualTo(votes.getOrDefault(majority, 0L).doubleValue());
        assertThat(classify.get("collection").asString()).isEqualTo("demo-radiology-findings");
        assertThat(classify.get("collectionVersion").asLong()).isPositive();
        assertThat(labels(Objects.requireNonNull(answers.get("cohort-search"))))
                .hasSize(3)
                .containsOnly("fracture");
        assertThat(Objects.requireNonNull(answers.get("cohort-search")).get("hits"))
                .allSatisfy(
                        hit -> assertThat(hit.get("metadata").get("modality").asString())
                                .isEqualTo("CT"));
    }

    private static List<String> labels(JsonNode answer) {
        List<String> labels = new ArrayList<>();
        answer.get("hits")
                .forEach(hit -> labels.add(hit.get("metadata").get("label").asString()));
        return labels;
    }

    private static String comments(String call) {
        return call.lines().filter(line -> line.startsWith("#")).collect(Collectors.joining("\n"));
    }

    /** The README's bash block of gateway calls on the demo collection: its preamble, then each call. */
    private static List<String> demoCalls() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Matcher blocks = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (blocks.find()) {
            String block = blocks.group(1);
            if (!block.contains("demo-radiology-findings") || !block.contains("/gateway/v1/")) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            StringBuilder part = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("curl ")) {
                    parts.add(part.toString());
                    part.setLength(0);
                }
                part.append(line.replace(README_URL, client.base())).append('\n');
            }
            parts.add(part.toString());
            return parts;
        }
        throw new AssertionError("README.md has no block of gateway calls on demo-radiology-findings");
    }

    private static String bash(String script) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + script);
        builder.directory(Path.of("..").toFile());
        builder.environment().put("WARDEN_URL", client.base());
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue())
                .as(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        System.out.println("README call answered: " + out);
        return out;
    }

    @Test
    void tokenScriptSignsInAPersonAndAnAgent() throws Exception {
        String admin = run("person", "ada.admin");
        assertThat(client.get("/api/v1/agents", admin).status()).isEqualTo(200);

        String agent = run("agent", "demo-retrieval-agent", "demo-retrieval-agent-secret");
        assertThat(client.get("/api/v1/agents", agent).status()).isEqualTo(403);
        assertThat(client.get("/api/v1/agents", null).status()).isEqualTo(401);
    }

    @Test
    void tokenScriptFailsClearlyOnAWrongPassword() throws Exception {
        Process process = start("person", "ada.admin", "not-the-password");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("sign-in failed");
    }

    private static String run(String... args) throws Exception {
        Process process = start(args);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.exitValue())
                .as(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        assertThat(out).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        return out;
    }

    private static Process start(String... args) throws IOException {
        var command = new ArrayList<>(
                List.of("bash", Path.of("..", "bin", "warden-token").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("WARDEN_URL", client.base());
        return builder.start();
    }
}
