package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every metric a Grafana dashboard in {@code deploy/grafana/dashboards} or an alert rule in
 * {@code deploy/prometheus} reads is in the scrape of a Warden that has served gateway calls, written audit
 * records, run workflow jobs and answered retrieval requests. A dashboard panel on a misspelt or removed metric
 * is an empty graph nobody notices until the night it was needed; this is where it fails instead.
 */
class ObservabilityMetricsTests extends IntegrationTest {

    static final Path DASHBOARDS = PrometheusRulesTests.ROOT.resolve("deploy/grafana/dashboards");

    private static volatile boolean exercised;

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    /** A gateway call permitted (retrieval, audit) and one denied, and an agent registered and approved (its onboarding). */
    @BeforeEach
    void exerciseEveryPartOnce() {
        if (exercised) {
            return;
        }
        collections.replace(
                "observability-series",
                IndexKind.FLAT,
                embedder.dimension(),
                TextItem.records(
                        embedder,
                        List.of(new TextItem("o1", "MR knee sagittal", Map.of("dataset", "imaging-ct-deid")))));
        governedCollection("observability-series", "imaging-ct-deid");
        var permitted = client.call("POST", "/gateway/v1/text-search", agent(), call("imaging-ct-deid"));
        assertThat(permitted.status()).as(permitted.body()).isEqualTo(200);
        var denied = client.call("POST", "/gateway/v1/text-search", agent(), call("dermatology-phi"));
        assertThat(denied.status()).as(denied.body()).isEqualTo(403);

        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"observed-%s","kind":"RETRIEVAL","purpose":"Dashboards test agent","submit":true,
                 "dataScopes":["imaging-ct-deid"],"tools":["text-search"]}""".formatted(UUID.randomUUID()));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        // approved, the onboarding receives its decision as a message and provisions and activates the agent
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                                .json()
                                .get("items")
                                .size()
                        == 1);
        String approval = client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();
        var approved = client.call(
                "POST", "/api/v1/approvals/" + approval + "/approve", admin(), "{\"reason\":\"dashboards\"}");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(MetricsTests.scrape())
                        .containsPattern("(?m)^warden_workflow_jobs_seconds_count\\{[^}]*process=\"agent-onboarding\""
                                + "[^}]*result=\"completed\"")
                        .containsPattern("(?m)^warden_workflow_messages_total\\{message=\"agent-approved\"} [1-9]"));
        exercised = true;
    }

    /**
     * Metrics that exist only where a feature is configured, with the meter's name in the sources (a rename there
     * still fails here) and why. The test's Warden has no time-stamp authority; {@code AnchoringTests} (audit)
     * checks this counter where one is configured.
     */
    static final Map<String, String> ONLY_WHERE_CONFIGURED = Map.of(
            "warden_audit_anchoring_failures_total",
            "warden.audit.anchoring.failures"); // one series per configured time-stamp authority

    @Test
    void everyMetricADashboardReadsIsExported() throws IOException {
        Set<String> exported = exportedNames(MetricsTests.scrape());
        exported.addAll(onlyWhereConfigured());
        List<String> missing = new ArrayList<>();
        List<Path> dashboards = dashboards();
        assertThat(dashboards)
                .extracting(path -> path.getFileName().toString())
                .contains("warden-gateway.json", "warden-audit.json", "warden-workflows.json", "warden-retrieval.json");
        for (Path dashboard : dashboards) {
            Map<String, String> queries = queries(JsonMapper.builder().build().readTree(Files.readString(dashboard)));
            assertThat(queries)
                    .as("%s has panels with queries", dashboard.getFileName())
                    .isNotEmpty();
            Set<String> read = new TreeSet<>();
            queries.forEach((where, expr) -> {
                Set<String> names = PromQl.metricNames(expr);
                assertThat(names)
                        .as("%s %s reads a metric: %s", dashboard.getFileName(), where, expr)
                        .isNotEmpty();
                read.addAll(names);
                names.stream()
                        .filter(name -> !exported.contains(name))
                        .forEach(name -> missing.add(dashboard.getFileName() + " " + where + ": " + name));
            });
            assertThat(read)
                    .as("%s reads Warden's own metrics", dashboard.getFileName())
                    .anyMatch(name -> name.startsWith("warden_"));
        }
        assertThat(missing).as("metrics dashboards read that the scrape lacks").isEmpty();
    }

    @Test
    void everyMetricAnAlertRuleReadsIsExported() throws IOException {
        Set<String> exported = exportedNames(MetricsTests.scrape());
        Map<String, String> rules = alertRules();
        assertThat(rules).containsKeys("WardenAuditRecordsLost", "WardenWorkflowIncident", "WardenRetrievalFailing");
        List<String> missing = new ArrayList<>();
        rules.forEach((alert, expr) -> {
            Set<String> names = PromQl.metricNames(expr);
            assertThat(names).as("%s reads a metric: %s", alert, expr).isNotEmpty();
            names.stream().filter(name -> !exported.contains(name)).forEach(name -> missing.add(alert + ": " + name));
        });
        assertThat(missing).as("metrics alert rules read that the scrape lacks").isEmpty();
    }

    @Test
    void theWorkflowAndRetrievalMetersCarryNoAgentOrCollection() {
        String scrape = MetricsTests.scrape();
        assertThat(scrape)
                .containsPattern("(?m)^warden_retrieval_requests_seconds_count\\{mode=\"local\",operation=\"search\","
                        + "outcome=\"ok\"} [1-9]")
                .containsPattern("(?m)^warden_workflow_started_total\\{process=\"agent-onboarding\"} [1-9]");
        assertThat(scrape.lines()
                        .filter(line -> line.startsWith("warden_workflow_") || line.startsWith("warden_retrieval_")))
                .isNotEmpty()
                .noneMatch(line -> line.contains("observability-series")
                        || line.contains("agentId")
                        || line.contains("observed-"));
    }

    /** The metrics of {@link #ONLY_WHERE_CONFIGURED}, each after checking that a main source still registers it. */
    static Set<String> onlyWhereConfigured() throws IOException {
        String anchorer = Files.readString(PrometheusRulesTests.ROOT.resolve(
                "audit/src/main/java/io/warden/audit/internal/anchoring/CheckpointAnchorer.java"));
        ONLY_WHERE_CONFIGURED.forEach((metric, meter) -> assertThat(anchorer)
                .as("%s is still registered as %s", metric, meter)
                .contains("\"" + meter + "\""));
        return ONLY_WHERE_CONFIGURED.keySet();
    }

    /** The names of the samples in a Prometheus text scrape: a histogram's {@code _bucket}, {@code _count}, ... each. */
    static Set<String> exportedNames(String scrape) {
        return scrape.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.split("[{ ]", 2)[0])
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static List<Path> dashboards() throws IOException {
        try (var files = Files.list(DASHBOARDS)) {
            return files.filter(path -> path.toString().endsWith(".json"))
                    .sorted()
                    .toList();
        }
    }

    /** Every query of a dashboard by where it is: panel targets (rows' panels too) and variable queries. */
    static Map<String, String> queries(JsonNode dashboard) {
        Map<String, String> queries = new LinkedHashMap<>();
        collectPanels(dashboard.path("panels"), queries);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if ("query".equals(variable.path("type").asString(""))) {
                JsonNode query = variable.path("query");
                String text = query.isObject() ? query.path("query").asString("") : query.asString("");
                if (!text.isBlank()) {
                    queries.put("variable " + variable.path("name").asString(), text);
                }
            }
        }
        return queries;
    }

    private static void collectPanels(JsonNode panels, Map<String, String> queries) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asString("");
                if (!expr.isBlank()) {
                    queries.put(
                            "panel \"" + panel.path("title").asString() + "\" "
                                    + target.path("refId").asString(""),
                            expr);
                }
            }
            collectPanels(panel.path("panels"), queries);
        }
    }

    /** Alert name → expression, from the rule file as Prometheus loads it. */
    @SuppressWarnings("unchecked")
    static Map<String, String> alertRules() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(PrometheusRulesTests.RULES));
        Map<String, String> rules = new LinkedHashMap<>();
        for (Map<String, Object> group :
                (List<Map<String, Object>>) Objects.requireNonNull(file.get("groups"), "groups")) {
            for (Map<String, Object> rule :
                    (List<Map<String, Object>>) Objects.requireNonNull(group.get("rules"), "rules")) {
                Object name = rule.containsKey("alert") ? rule.get("alert") : rule.get("record");
                rules.put(String.valueOf(name), String.valueOf(rule.get("expr")));
            }
        }
        return rules;
    }

    static String call(String dataset) {
        return """
                {"collection":"observability-series","dataset":"%s","purposeOfUse":"TREAT","text":"MR knee","k":3}""".formatted(dataset);
    }
}
