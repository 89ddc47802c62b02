package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/** Health, readiness, metrics, the OpenAPI document and logs that keep secrets out. */
@ExtendWith(OutputCaptureExtension.class)
class OperabilityTests extends IntegrationTest {

    @Test
    void healthLivenessAndReadinessAreUpWithoutAToken() {
        assertThat(client.get("/actuator/health", null).json().get("status").asString())
                .isEqualTo("UP");
        assertThat(client.get("/actuator/health/liveness", null)
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("UP");
        assertThat(client.get("/actuator/health/readiness", null)
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("UP");
        assertThat(client.get("/actuator/health/retrieval", null)
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("UP");
    }

    @Test
    void prometheusExposesHttpAndDatabasePoolMetrics() {
        client.get("/api/v1/agents", admin());
        var metrics = client.call("GET", "/actuator/prometheus", null, null, Map.of("Accept", "text/plain"));
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("http_server_requests_seconds").contains("hikaricp_connections");
    }

    @Test
    void otherActuatorEndpointsAreNotExposed() {
        assertThat(client.get("/actuator/env", null).status()).isIn(401, 404);
        assertThat(client.get("/actuator/env", admin()).status()).isIn(401, 403, 404);
    }

    @Test
    void openApiDocumentIsVersion31AndListsTheRegistry() {
        JsonNode document = client.get("/v3/api-docs", null).json();
        assertThat(document.get("openapi").asString()).startsWith("3.1");
        assertThat(document.get("paths").has("/api/v1/agents")).isTrue();
        assertThat(document.get("paths").has("/api/v1/approvals/{id}/approve")).isTrue();
        assertThat(document.get("components").get("securitySchemes").has("bearer"))
                .isTrue();
        assertThat(client.get("/swagger-ui/index.html", null).status()).isEqualTo(200);
    }

    @Test
    void openIdDiscoveryNamesTheConfiguredIssuer() {
        JsonNode discovery =
                client.get("/.well-known/openid-configuration", null).json();
        assertThat(discovery.get("issuer").asString()).isEqualTo("http://localhost:" + PORT);
        assertThat(discovery.get("grant_types_supported").toString()).contains("client_credentials");
        assertThat(client.get("/oauth2/jwks", null).json().get("keys")).hasSize(1);
    }

    @Test
    void logsNeverContainTokensSecretsOrPasswords(CapturedOutput output) {
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        logging.setLogLevel("org.springframework.security", LogLevel.DEBUG);
        logging.setLogLevel("org.springframework.web", LogLevel.DEBUG);
        logging.setLogLevel("io.warden", LogLevel.DEBUG);
        try {
            WardenClient fresh = new WardenClient(client.base());
            String agentToken = fresh.agentToken("demo-wound-classifier", "demo-wound-classifier-secret");
            String personToken = fresh.personToken("carla.compliance");
            fresh.get("/api/v1/agents", personToken);
            fresh.get("/api/v1/agents", agentToken);
            fresh.get("/api/v1/agents", personToken + "x");
            assertThat(output.getAll())
                    .doesNotContain(agentToken)
                    .doesNotContain(personToken)
                    .doesNotContain(agentToken.substring(agentToken.lastIndexOf('.') + 1))
                    .doesNotContain("demo-wound-classifier-secret")
                    .doesNotContain("warden-demo");
        } finally {
            logging.setLogLevel("org.springframework.security", null);
            logging.setLogLevel("org.springframework.web", null);
            logging.setLogLevel("io.warden", null);
        }
    }
}
