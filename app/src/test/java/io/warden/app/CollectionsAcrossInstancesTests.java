package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.WardenApplication;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two Warden instances on one database and one shared storage (collections and their builds): a version built on A
 * is what a search through B's gateway reads the moment A reports it current, with no wait; a retirement on A is
 * refused on B at once. The catalog in PostgreSQL names the version; each instance opens it from shared storage.
 */
class CollectionsAcrossInstancesTests {

    static @Nullable ConfigurableApplicationContext a;
    static @Nullable ConfigurableApplicationContext b;
    static WardenClient clientA = new WardenClient("http://localhost:1");
    static WardenClient clientB = new WardenClient("http://localhost:1");

    @BeforeAll
    static void twoInstances() throws Exception {
        Path data = Files.createTempDirectory("warden-collections-");
        int databasePort = IntegrationTest.freePort();
        int portA = IntegrationTest.freePort();
        int portB = IntegrationTest.freePort();
        List<String> shared = List.of(
                "--warden.identity.key-encryption-key=" + sharedKeyEncryptionKey(),
                "--warden.demo.enabled=true",
                "--warden.retrieval.collections-dir=" + data.resolve("shared/collections"),
                "--warden.collections.storage-dir=" + data.resolve("shared/collection-builds"));
        a = start(portA, data.resolve("a"), shared, "--warden.db.port=" + databasePort);
        b = start(
                portB,
                data.resolve("b"),
                shared,
                "--warden.db.url=jdbc:postgresql://localhost:" + databasePort + "/warden",
                "--warden.db.user=warden_app",
                "--warden.db.password=" + IntegrationTest.embeddedPassword(data.resolve("a"), "application"),
                "--warden.db.migration-user=postgres",
                "--warden.db.migration-password=" + IntegrationTest.embeddedPassword(data.resolve("a"), "superuser"));
        clientA = new WardenClient("http://localhost:" + portA);
        clientB = new WardenClient("http://localhost:" + portB);
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    static long buildOnA(String admin, String items) {
        var upload = clientA.send(clientA.request("/api/v1/collections/shared-notes/uploads")
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/x-ndjson")
                .header("Accept", "application/json, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofString(items, StandardCharsets.UTF_8)));
        assertThat(upload.status()).as(upload.body()).isEqualTo(201);
        var started = clientA.call(
                "POST",
                "/api/v1/collections/shared-notes/builds",
                admin,
                "{\"format\":\"text\",\"upload\":\"" + upload.json().get("id").asString() + "\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        long version = started.json().get("version").asLong();
        await().atMost(Duration.ofSeconds(90))
                .until(() -> clientA.get("/api/v1/collections/shared-notes", admin)
                                .json()
                                .get("currentVersion")
                                .asLong()
                        == version);
        return version;
    }

    static WardenClient.Response searchOnB(String agent) {
        return clientB.call("POST", "/gateway/v1/text-search", agent, """
                {"collection":"shared-notes","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"pleural effusion","k":10}""");
    }

    @Test
    void aVersionBuiltOnAIsSearchedThroughBAtOnceAndARetirementOnAHoldsOnB() {
        String admin = clientA.personToken("ada.admin");
        String agent = clientB.agentToken("demo-retrieval-agent", "demo-retrieval-agent-secret");
        var created = clientA.call("POST", "/api/v1/collections", admin, """
                {"name":"shared-notes","dataScope":"imaging-ct-deid","modality":"TEXT","embeddingModel":"all-MiniLM-L6-v2",
                 "indexKind":"HNSW","deidentified":true}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);

        assertThat(buildOnA(admin, """
                        {"id":"n1","text":"Small left pleural effusion","metadata":{"label":"effusion"}}
                        {"id":"n2","text":"No acute fracture","metadata":{"label":"normal"}}
                        """)).isEqualTo(1);
        var first = searchOnB(agent);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().get("hits").findValuesAsString("id")).containsExactlyInAnyOrder("n1", "n2");

        assertThat(buildOnA(admin, """
                        {"id":"n1","text":"Small left pleural effusion","metadata":{"label":"effusion"}}
                        {"id":"n2","text":"No acute fracture","metadata":{"label":"normal"}}
                        {"id":"n3","text":"Large right pleural effusion with atelectasis","metadata":{"label":"effusion"}}
                        """)).isEqualTo(2);
        var second = searchOnB(agent);
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(second.json().get("hits").findValuesAsString("id"))
                .as("B reads version 2 the moment A reports it current")
                .containsExactlyInAnyOrder("n1", "n2", "n3");

        assertThat(clientA.call("POST", "/api/v1/collections/shared-notes/retire", admin, "{\"reason\":\"superseded\"}")
                        .status())
                .isEqualTo(200);
        var refused = searchOnB(agent);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("reasons").toString()).contains("COLLECTION_UNKNOWN");
    }

    private static ConfigurableApplicationContext start(int port, Path data, List<String> shared, String... extra) {
        List<String> args = new ArrayList<>(shared);
        args.add("--server.port=" + port);
        args.add("--warden.identity.issuer=http://localhost:" + port);
        args.add("--warden.data-dir=" + data);
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(WardenApplication.class).run(args.toArray(String[]::new));
    }

    /** Replicas share one key-encryption key for the embedded provider's signing key, as deployments configure it. */
    private static String sharedKeyEncryptionKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
