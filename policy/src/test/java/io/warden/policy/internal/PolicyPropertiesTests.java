package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The policy module's settings bind as validated records, with the names and defaults they always had. */
class PolicyPropertiesTests {

    private static PolicyProperties policy(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("warden.policy", PolicyProperties.class);
    }

    private static GatewayProperties gateway(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("warden.gateway", GatewayProperties.class);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        PolicyProperties policy = policy(Map.of());
        assertThat(policy.decisionPoint()).isEqualTo(PolicyProperties.DecisionPoint.EMBEDDED);
        assertThat(policy.opa().url()).isEqualTo(URI.create("http://localhost:8181"));
        assertThat(policy.opa().packageName()).isEqualTo("warden/gateway");
        assertThat(policy.opa().timeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.killSwitchReconcile()).isEqualTo(Duration.ofSeconds(3));
        assertThat(policy.propagationWait()).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.instanceName()).isEmpty();
        assertThat(policy.selfTest().bound()).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.selfTest().every()).isEqualTo(Duration.ofDays(1));
        GatewayProperties gateway = gateway(Map.of());
        assertThat(gateway.cacheRefresh()).isEqualTo(Duration.ofSeconds(30));
        assertThat(gateway.retrievalDeadline()).isEqualTo(Duration.ofSeconds(5));
        assertThat(gateway.refusalRecordWindow()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theSettingsKeepTheirNames() {
        PolicyProperties policy = policy(Map.of(
                "warden.policy.decision-point",
                "opa",
                "warden.policy.opa.url",
                "https://opa:8181",
                "warden.policy.opa.package",
                "hospital/warden",
                "warden.policy.opa.timeout",
                "PT0.5S",
                "warden.policy.instance-name",
                " gateway-2 ",
                "warden.policy.self-test.every",
                "PT1H"));
        assertThat(policy.decisionPoint()).isEqualTo(PolicyProperties.DecisionPoint.OPA);
        assertThat(policy.opa().packageName()).isEqualTo("hospital/warden");
        assertThat(policy.opa().timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(policy.instanceName()).isEqualTo("gateway-2");
        assertThat(policy.selfTest().every()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void badValuesAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> policy(Map.of("warden.policy.decision-point", "maybe")))
                .hasStackTraceContaining("decision-point");
        assertThatThrownBy(() -> policy(Map.of("warden.policy.opa.url", "file:///etc/passwd")))
                .hasStackTraceContaining("warden.policy.opa.url must be an http(s) URL");
        assertThatThrownBy(() -> policy(Map.of("warden.policy.opa.package", "../x")))
                .hasStackTraceContaining("warden.policy.opa.package must be a Rego package path");
        assertThatThrownBy(() -> policy(Map.of("warden.policy.kill-switch-reconcile", "PT0S")))
                .hasStackTraceContaining("warden.policy.kill-switch-reconcile must be a positive duration");
        assertThatThrownBy(() -> gateway(Map.of("warden.gateway.retrieval-deadline", "-PT1S")))
                .hasStackTraceContaining("warden.gateway.retrieval-deadline must be a positive duration");
    }
}
