package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link PromQl#metricNames}: what {@link ObservabilityMetricsTests} checks against a scrape. */
class PromQlTests {

    @Test
    void aHistogramQuantileReadsItsBucketSeriesOnly() {
        assertThat(
                        PromQl.metricNames(
                                "histogram_quantile(0.99, sum by (job, le) (rate(warden_audit_append_seconds_bucket{job=~\"$job\"}[$__rate_interval])))"))
                .containsExactly("warden_audit_append_seconds_bucket");
    }

    @Test
    void labelMatchersStringsAndGroupingNeverCountAsNames() {
        assertThat(PromQl.metricNames("sum without (instance) (increase(warden_gateway_calls_total{decision=\"DENY\","
                        + " reason!~\"KILL_SWITCH|none\", tool=~'text.*'}[10m] offset 1h)) > bool 0"))
                .containsExactly("warden_gateway_calls_total");
    }

    @Test
    void bothSidesOfABinaryOperationAndAVectorMatchAreRead() {
        assertThat(
                        PromQl.metricNames(
                                "time() - max by (job) (warden_killswitch_selftest_last_success_timestamp_seconds)"
                                        + " > 26 * 3600 and on (job) group_left (process) max by (job) (process_uptime_seconds) > 1e3"))
                .containsExactly("process_uptime_seconds", "warden_killswitch_selftest_last_success_timestamp_seconds");
    }

    @Test
    void aSubqueryAndAGrafanaVariableInBracesAreSkipped() {
        assertThat(PromQl.metricNames("max_over_time(rate(warden_retrieval_requests_seconds_count{mode=\"${mode}\"}"
                        + "[5m])[1h:1m]) / ignoring(outcome) warden_audit_queue_capacity"))
                .containsExactly("warden_audit_queue_capacity", "warden_retrieval_requests_seconds_count");
    }

    @Test
    void grafanasLabelValuesQueryReadsItsMetricNotItsLabel() {
        assertThat(PromQl.metricNames("label_values(warden_gateway_calls_total{job=\"warden\"}, tool)"))
                .containsExactly("warden_gateway_calls_total");
        assertThat(PromQl.metricNames("label_values(job)")).isEmpty();
    }

    @Test
    void aNumberOrAComparisonAloneReadsNothing() {
        assertThat(PromQl.metricNames("vector(1) > bool 0.5")).isEmpty();
    }
}
