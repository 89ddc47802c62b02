package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Without {@code warden.security.protect-operations-endpoints} (a workstation, the default) metrics and the API
 * documentation stay open, as the README's first steps use them; {@link ProductionProfileTests} proves the
 * {@code prod} profile closes them.
 */
class OperationsEndpointsTests extends IntegrationTest {

    /** Threat covered by the switch, not here: this pins the default, so the prod test's 401s come from the profile. */
    @Test
    void metricsHealthAndApiDocumentationAreOpenByDefault() {
        assertThat(client.call("GET", "/actuator/prometheus", null, null, Map.of("Accept", "text/plain"))
                        .status())
                .isEqualTo(200);
        assertThat(client.get("/v3/api-docs", null).status()).isEqualTo(200);
        var health = client.get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().has("components"))
                .as("components shown on a workstation")
                .isTrue();
        assertThat(client.get("/actuator/env", null).status())
                .as("endpoints not exposed stay shut")
                .isIn(401, 404);
    }
}
