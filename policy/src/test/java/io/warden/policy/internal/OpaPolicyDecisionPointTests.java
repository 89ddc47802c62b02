package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.warden.policy.Decision;
import io.warden.policy.ReasonCodes;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OPA client against a local fake of OPA's Data API that answers from the decision vectors, and its
 * failure modes: every one of them a deny with DECISION_UNAVAILABLE.
 */
class OpaPolicyDecisionPointTests {

    static final JsonMapper JSON = JsonMapper.builder().build();

    HttpServer opa;
    final List<String> paths = new CopyOnWriteArrayList<>();
    final List<String> queries = new CopyOnWriteArrayList<>();
    /** What the fake reports as {@code provenance} when asked for it (OPA omits it otherwise). */
    final AtomicReference<String> provenance = new AtomicReference<>(
            "{\"version\": \"1.4.2\", \"bundles\": {\"policy/rego\": {\"revision\": \"warden-gateway-policy-3\"}}}");
    /** What the fake does: "vectors" answers from decisions.json; otherwise a canned (status, body) or a stall. */
    final AtomicReference<String> mode = new AtomicReference<>("vectors");

    @BeforeEach
    void start() throws Exception {
        JsonNode cases = DecisionVectorsTests.vectors().get("cases");
        opa = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        opa.createContext("/v1/data/", exchange -> {
            paths.add(
                    exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            queries.add(String.valueOf(exchange.getRequestURI().getQuery()));
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            String body;
            int status = 200;
            switch (mode.get()) {
                case "vectors" -> {
                    // match by meaning, not by JSON text: sets may come in any order
                    var asked = DecisionJson.input(request.get("input"));
                    JsonNode expected = null;
                    for (JsonNode vector : cases) {
                        if (DecisionJson.input(vector.get("input")).equals(asked)) {
                            expected = vector.get("expected");
                        }
                    }
                    String query = String.valueOf(exchange.getRequestURI().getQuery());
                    body = expected == null
                            ? "{}"
                            : "{\"decision_id\": \"d-" + paths.size() + "\", "
                                    + (query.contains("provenance=true")
                                            ? "\"provenance\": " + provenance.get() + ", "
                                            : "")
                                    + "\"result\": "
                                    + ((ObjectNode) expected.deepCopy())
                                            .put("policyVersion", DecisionJson.POLICY_VERSION)
                                    + "}";
                }
                case "undefined" -> body = "{\"decision_id\": \"d-1\"}";
                case "malformed" -> body = "{\"result\": {\"allow\": true, \"policyVersion\": 3}}";
                case "older-bundle" ->
                    body = "{\"result\": {\"allow\": true, \"reasons\": [], \"obligations\": {\"maxK\": 5,"
                            + " \"datasets\": [\"a\"], \"redactFields\": [], \"deidentificationRequired\": false}}}";
                case "not-json" -> body = "<html>bad gateway</html>";
                case "error" -> {
                    status = 500;
                    body = "{\"code\": \"internal_error\"}";
                }
                case "slow" -> {
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    body = "{}";
                }
                default -> body = "{}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        opa.setExecutor(Executors.newFixedThreadPool(4));
        opa.start();
    }

    @AfterEach
    void stop() {
        opa.stop(0);
    }

    OpaPolicyDecisionPoint client(Duration timeout) {
        return new OpaPolicyDecisionPoint(
                URI.create("http://127.0.0.1:" + opa.getAddress().getPort()), "warden/gateway", timeout);
    }

    @TestFactory
    List<DynamicTest> passesTheDecisionVectorsThroughTheDataApi() throws Exception {
        return DecisionVectorsTests.run(client(Duration.ofSeconds(5)));
    }

    @Test
    void asksTheDataApiOfThePackageAndKeepsTheDecisionId() throws Exception {
        JsonNode first = DecisionVectorsTests.vectors().get("cases").get(0);
        Decision decision = client(Duration.ofSeconds(5)).decide(DecisionJson.input(first.get("input")));
        assertThat(paths).containsExactly("POST /v1/data/warden/gateway/decision");
        assertThat(decision.allow()).isTrue();
        assertThat(decision.decisionId()).isEqualTo("d-1");
    }

    @Test
    void recordsTheBundleRevisionOpaReports() throws Exception {
        var input = DecisionJson.input(
                DecisionVectorsTests.vectors().get("cases").get(0).get("input"));
        Decision decision = client(Duration.ofSeconds(5)).decide(input);
        assertThat(queries).containsExactly("provenance=true");
        assertThat(decision.policyRevision()).isEqualTo("warden-gateway-policy-3");
        assertThat(client(Duration.ofSeconds(5)).engine()).isEqualTo("opa");

        provenance.set("{\"bundles\": {\"b\": {\"revision\": \"r2\"}, \"a\": {\"revision\": \"r1\"}}}");
        assertThat(client(Duration.ofSeconds(5)).decide(input).policyRevision()).isEqualTo("a=r1,b=r2");

        provenance.set("{\"version\": \"0.60.0\", \"revision\": \"legacy-7\"}");
        assertThat(client(Duration.ofSeconds(5)).decide(input).policyRevision()).isEqualTo("legacy-7");

        provenance.set("{\"version\": \"1.4.2\", \"bundles\": {\"policy/rego\": {}}}");
        Decision unrevised = client(Duration.ofSeconds(5)).decide(input);
        assertThat(unrevised.allow()).as("no revision is no reason to deny").isTrue();
        assertThat(unrevised.policyRevision()).isNull();
    }

    @Test
    void everyFailureIsADeny() throws Exception {
        var input = DecisionJson.input(
                DecisionVectorsTests.vectors().get("cases").get(0).get("input"));
        // "older-bundle": a complete allow from a bundle that does not name policy version 2 (it would ignore newer
        // rules)
        for (String failure : List.of("undefined", "malformed", "not-json", "error", "older-bundle")) {
            mode.set(failure);
            assertUnavailable(client(Duration.ofSeconds(5)).decide(input), failure);
        }
        mode.set("slow");
        long start = System.nanoTime();
        assertUnavailable(client(Duration.ofMillis(200)).decide(input), "slow");
        assertThat((System.nanoTime() - start) / 1_000_000)
                .as("the deadline holds")
                .isLessThan(1500);
        opa.stop(0);
        assertUnavailable(client(Duration.ofMillis(500)).decide(input), "down");
    }

    private static void assertUnavailable(Decision decision, String failure) {
        assertThat(decision.allow()).as(failure).isFalse();
        assertThat(decision.reasons()).as(failure).containsExactly(ReasonCodes.DECISION_UNAVAILABLE);
    }
}
