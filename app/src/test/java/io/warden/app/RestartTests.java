package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.WardenApplication;
import io.warden.clinical.Retrieval;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Warden's data survives a restart: a second start on the same data folder finds the agents of the first,
 * accepts tokens the first issued (the signing key is persisted) and seeds no demo data twice: the demo collection
 * the first start built is the one the second serves.
 */
class RestartTests {

    @Test
    void agentsAndTokensSurviveARestartAndDemoDataIsSeededOnce() throws Exception {
        Path data = Files.createTempDirectory("warden-restart-");
        int port = IntegrationTest.freePort();
        WardenClient client = new WardenClient("http://localhost:" + port);

        String id;
        String token;
        long demoVersion;
        Timestamp demoBuiltAt;
        try (ConfigurableApplicationContext first = start(data, port)) {
            demoVersion = demoCollectionVersion(first);
            demoBuiltAt = demoCollectionBuiltAt(first);
            token = client.personToken("otto.owner");
            var created = client.call("POST", "/api/v1/agents", token, """
                    {"name":"Survives restarts","kind":"RETRIEVAL","purpose":"p","dataScopes":["imaging-ct-deid"]}""");
            assertThat(created.status()).isEqualTo(201);
            id = created.json().get("id").asString();
        }
        assertThat(data.resolve("pgdata/PG_VERSION")).exists();

        try (ConfigurableApplicationContext second = start(data, port)) {
            var found = client.get("/api/v1/agents/" + id, token);
            assertThat(found.status())
                    .as("a token issued before the restart still verifies")
                    .isEqualTo(200);
            assertThat(found.json().get("name").asString()).isEqualTo("Survives restarts");
            assertThat(found.json().get("status").asString()).isEqualTo("PENDING_APPROVAL");
            var demo =
                    client.get("/api/v1/agents?q=Demo%20CT%20retrieval", token).json();
            assertThat(demo.get("total").asLong())
                    .as("demo data is seeded once")
                    .isEqualTo(1);
            assertThat(demoCollectionVersion(second))
                    .as("the demo collection is not built again")
                    .isEqualTo(demoVersion);
            assertThat(demoCollectionBuiltAt(second)).isEqualTo(demoBuiltAt);
        }
    }

    private static long demoCollectionVersion(ConfigurableApplicationContext context) {
        return context.getBean(Retrieval.class).status().collections().stream()
                .filter(collection -> collection.name().equals("demo-radiology-findings"))
                .findFirst()
                .orElseThrow()
                .version();
    }

    private static Timestamp demoCollectionBuiltAt(ConfigurableApplicationContext context) {
        return context.getBean(JdbcClient.class)
                .sql("select built_at from demo_collection where name = 'demo-radiology-findings'")
                .query(Timestamp.class)
                .single();
    }

    private static ConfigurableApplicationContext start(Path data, int port) {
        return new SpringApplicationBuilder(WardenApplication.class)
                .run(
                        "--server.port=" + port,
                        "--warden.identity.issuer=http://localhost:" + port,
                        "--warden.data-dir=" + data,
                        "--warden.demo.enabled=true");
    }
}
