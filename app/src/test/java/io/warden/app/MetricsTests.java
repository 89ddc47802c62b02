package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What an operator's Prometheus scrapes from {@code /actuator/prometheus} after real gateway calls: the
 * gateway counter by tool, decision and reason (never by agent), the decision latency, the audit append
 * latency and queue depth — and the series the alert rules in {@code deploy/prometheus} read.
 */
class MetricsTests extends IntegrationTest {

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @Test
    void aPermittedAndADeniedCallShowInTheScrapeWithTheirToolDecisionAndReason() {
        collections.replace(
                "metrics-series",
                IndexKind.FLAT,
                embedder.dimension(),
                TextItem.records(
                        embedder, List.of(new TextItem("m1", "CT chest axial", Map.of("dataset", "imaging-ct-deid")))));
        governedCollection("metrics-series", "imaging-ct-deid");
        String before = scrape();

        var permitted = client.call("POST", "/gateway/v1/text-search", agent(), call("imaging-ct-deid"));
        assertThat(permitted.status()).as(permitted.body()).isEqualTo(200);
        var denied = client.call("POST", "/gateway/v1/text-search", agent(), call("dermatology-phi"));
        assertThat(denied.status()).as(denied.body()).isEqualTo(403);
        assertThat(denied.json().get("reasons").get(0).asString()).isEqualTo("SCOPE_NOT_GRANTED");

        String after = scrape();
        String permit = "warden_gateway_calls_total{decision=\"PERMIT\",reason=\"none\",tool=\"text-search\"}";
        String deny = "warden_gateway_calls_total{decision=\"DENY\",reason=\"SCOPE_NOT_GRANTED\",tool=\"text-search\"}";
        assertThat(value(after, permit) - value(before, permit)).isEqualTo(1);
        assertThat(value(after, deny) - value(before, deny)).isEqualTo(1);
        assertThat(value(after, "warden_gateway_decision_seconds_count")
                        - value(before, "warden_gateway_decision_seconds_count"))
                .isEqualTo(2);
        assertThat(after).containsPattern("(?m)^warden_gateway_decision_seconds_bucket\\{le=\"[0-9.]+\"} [0-9.E]+$");
        assertThat(value(after, "warden_audit_append_seconds_count")
                        - value(before, "warden_audit_append_seconds_count"))
                .as("the decision records of both calls and the permitted call's outcome record")
                .isGreaterThanOrEqualTo(3);
        assertThat(after).containsPattern("(?m)^warden_audit_append_seconds_bucket\\{le=\"[0-9.]+\"} [0-9.E]+$");
        assertThat(value(after, "warden_audit_queue_depth")).isBetween(0.0, 100_000.0);
        assertThat(value(after, "warden_audit_queue_capacity")).isEqualTo(100_000);
        assertThat(value(after, "warden_audit_outcome_records_lost_total")).isZero();
        assertThat(after.lines().filter(line -> line.startsWith("warden_")))
                .as("no agent in any label")
                .noneMatch(line -> line.contains("demo-retrieval-agent"));
    }

    /**
     * The series the first alerts read are there from the start, before any failure; that every metric every rule
     * and dashboard reads is exported, after the parts that create them have run, is
     * {@link ObservabilityMetricsTests}' check.
     */
    @Test
    void theSeriesTheAlertsReadExistBeforeTheFirstFailure() {
        String scrape = scrape();
        assertThat(scrape)
                .containsPattern("(?m)^warden_audit_outcome_records_lost_total ")
                .containsPattern("(?m)^warden_policy_decision_unavailable_total ")
                .containsPattern("(?m)^warden_killswitch_selftest_last_success_timestamp_seconds ")
                .containsPattern("(?m)^warden_retrieval_requests_seconds_count\\{[^}]*outcome=\"error\"")
                .contains(
                        "warden_killswitch_selftest_total{result=\"failed\"} 0.0",
                        "warden_revocation_propagation_seconds_count",
                        "warden_audit_append_failed_total{reason=\"overloaded\"}");
    }

    static String call(String dataset) {
        return """
                {"collection":"metrics-series","dataset":"%s","purposeOfUse":"TREAT","text":"CT chest","k":3}""".formatted(dataset);
    }

    static String scrape() {
        var metrics = client.call("GET", "/actuator/prometheus", null, null, Map.of("Accept", "text/plain"));
        assertThat(metrics.status()).isEqualTo(200);
        return metrics.body();
    }

    /** The value of the one sample whose name and labels are exactly {@code series}; 0 when absent. */
    static double value(String scrape, String series) {
        return scrape.lines()
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line ->
                        Double.parseDouble(line.substring(series.length() + 1).split(" ")[0]))
                .findFirst()
                .orElse(0);
    }
}
