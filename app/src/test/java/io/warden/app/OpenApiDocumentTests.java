package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The published OpenAPI document is a contract clients are generated from. Each operation is named by
 * intent, tagged by its resource, summarised, and names the problems it answers with; Redocly's recommended
 * rules find no error in it. The document is written to {@code target/openapi/warden-openapi.json}, from
 * which the {@code app/openapi-client} module generates a Java client and compiles it.
 */
class OpenApiDocumentTests extends IntegrationTest {

    static final Path DOCUMENT = Path.of("target/openapi/warden-openapi.json");
    /** Pinned, so that a new release of the linter cannot change what the build accepts. */
    static final String REDOCLY = "@redocly/cli@2.77.0";

    private static JsonNode published() throws IOException {
        var response = client.get("/v3/api-docs", null);
        assertThat(response.status()).isEqualTo(200);
        Files.createDirectories(DOCUMENT.getParent());
        Files.writeString(DOCUMENT, response.body());
        return JsonMapper.builder().build().readTree(response.body());
    }

    @Test
    void everyOperationIsNamedByIntentTaggedSummarisedAndNamesItsProblems() throws IOException {
        JsonNode document = published();
        JsonNode components = document.get("components");
        List<String> faults = new ArrayList<>();
        Set<String> operationIds = new HashSet<>();
        int operations = 0;
        for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                operations++;
                String where = method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                JsonNode operation = method.getValue();
                String id = operation.path("operationId").asString("");
                if (!id.matches("[a-z]+[A-Z][A-Za-z]*")) {
                    faults.add(where + ": operationId '" + id + "' is not a verb and a noun in camel case");
                }
                if (!operationIds.add(id)) {
                    faults.add(where + ": operationId '" + id + "' is used twice");
                }
                JsonNode tags = operation.path("tags");
                if (tags.isEmpty() || tags.toString().contains("-controller")) {
                    faults.add(where + ": tagged " + tags + ", not by resource");
                }
                if (operation.path("summary").asString("").isBlank()) {
                    faults.add(where + ": no summary");
                }
                JsonNode responses = operation.path("responses");
                if (responses.propertyNames().stream().noneMatch(status -> status.startsWith("2"))) {
                    faults.add(where + ": no success response");
                }
                for (String status : List.of("401", "403")) {
                    if (!responses.has(status)) {
                        faults.add(where + ": no " + status + " response");
                    }
                }
                for (Map.Entry<String, JsonNode> response : responses.properties()) {
                    if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                        String problem = problemSchema(components, response.getValue());
                        if (!"#/components/schemas/Problem".equals(problem)) {
                            faults.add(
                                    where + ": " + response.getKey() + " is not a problem+json Problem but " + problem);
                        }
                    }
                }
                for (JsonNode parameter : operation.path("parameters")) {
                    if (parameter.path("name").asString("").equals("actor")) {
                        faults.add(where + ": the caller is documented as a request parameter");
                    }
                }
            }
        }
        assertThat(operations).as("operations in the document").isGreaterThan(60);
        assertThat(faults).isEmpty();
        JsonNode problem = components.path("schemas").path("Problem").path("properties");
        assertThat(problem.has("type") && problem.has("code") && problem.has("field") && problem.has("errors"))
                .isTrue();
        assertThat(components
                        .path("securitySchemes")
                        .path("bearer")
                        .path("bearerFormat")
                        .asString(""))
                .isEqualTo("JWT");
        assertThat(document.get("paths").has("/api/v1/agents/{id}/suspend")).isTrue();
        assertThat(document.get("paths")
                        .path("/api/v1/agents/{id}/suspend")
                        .path("post")
                        .path("operationId")
                        .asString(""))
                .isEqualTo("suspendAgent");
        assertThat(document.toString())
                .as("the portal's pages and the identity provider are not API operations")
                .doesNotContain("\"/portal")
                .doesNotContain("\"/oauth2")
                .doesNotContain("\"/internal/");
    }

    /** The schema a problem response's application/problem+json content refers to, through the shared responses. */
    private static String problemSchema(JsonNode components, JsonNode response) {
        String ref = response.path("$ref").asString("");
        JsonNode resolved = ref.startsWith("#/components/responses/")
                ? components.path("responses").path(ref.substring("#/components/responses/".length()))
                : response;
        return resolved.path("content")
                .path("application/problem+json")
                .path("schema")
                .path("$ref")
                .asString("(none)");
    }

    @Test
    void redoclyRecommendedRulesFindNoError() throws Exception {
        published();
        Path report = DOCUMENT.resolveSibling("redocly-lint.txt");
        Process lint;
        try {
            lint = new ProcessBuilder(
                            "npx",
                            "--yes",
                            REDOCLY,
                            "lint",
                            "--extends",
                            "recommended",
                            "--max-problems",
                            "1000",
                            DOCUMENT.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(report.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "Linting the OpenAPI document needs Node.js and npx on the PATH (.ci/run installs "
                            + "them); the linter itself comes from the npm registry: " + e.getMessage(),
                    e);
        }
        if (!lint.waitFor(5, TimeUnit.MINUTES)) {
            lint.destroyForcibly();
            throw new AssertionError("Redocly did not finish in 5 minutes; its output so far is in " + report);
        }
        String output = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(lint.exitValue())
                .as("Redocly's exit status; its report:%n%s", output)
                .isZero();
        assertThat(output).contains("Your API description is valid");
    }
}
