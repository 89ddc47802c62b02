package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.WardenApplication;
import io.warden.policy.KillSwitches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Two Warden instances on one database, as replicas run: changes made through both at once land in one
 * audit chain that verifies, signed with the key both are given.
 */
class TwoInstancesTests {

    @Test
    void changesThroughTwoInstancesAtOnceMakeOneAuditChain() throws Exception {
        Path data = Files.createTempDirectory("warden-two-");
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path privateKey = data.resolve("audit.pem");
        Path publicKey = data.resolve("audit.pub.pem");
        Files.writeString(privateKey, pem("PRIVATE KEY", key.getPrivate().getEncoded()));
        Files.writeString(publicKey, pem("PUBLIC KEY", key.getPublic().getEncoded()));
        int databasePort = IntegrationTest.freePort();
        int portA = IntegrationTest.freePort();
        int portB = IntegrationTest.freePort();
        List<String> shared = List.of(
                "--warden.audit.signing-key=" + privateKey,
                "--warden.audit.signing-public-key=" + publicKey,
                "--warden.identity.key-encryption-key=" + sharedKeyEncryptionKey(),
                "--warden.demo.enabled=true",
                "--warden.audit.checkpoint-every=20",
                "--warden.policy.kill-switch-reconcile=PT60S");
        try (ConfigurableApplicationContext a =
                        start(portA, data.resolve("a"), shared, "--warden.db.port=" + databasePort);
                // B connects to A's embedded database with the passwords A generated, as any client must
                ConfigurableApplicationContext b = start(
                        portB,
                        data.resolve("b"),
                        shared,
                        "--warden.db.url=jdbc:postgresql://localhost:" + databasePort + "/warden",
                        "--warden.db.user=warden_app",
                        "--warden.db.password=" + IntegrationTest.embeddedPassword(data.resolve("a"), "application"),
                        "--warden.db.migration-user=postgres",
                        "--warden.db.migration-password="
                                + IntegrationTest.embeddedPassword(data.resolve("a"), "superuser"))) {
            WardenClient clientA = new WardenClient("http://localhost:" + portA);
            WardenClient clientB = new WardenClient("http://localhost:" + portB);
            List<Future<Integer>> writers = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                for (int w = 0; w < 4; w++) {
                    WardenClient client = w % 2 == 0 ? clientA : clientB;
                    String token = client.personToken("otto.owner");
                    int writer = w;
                    writers.add(pool.submit(() -> {
                        int created = 0;
                        for (int i = 0; i < 8; i++) {
                            var response = client.call("POST", "/api/v1/agents", token, """
                                    {"name":"Replica agent %d-%d","kind":"RETRIEVAL","purpose":"p","dataScopes":["imaging-ct-deid"]}""".formatted(writer, i));
                            assertThat(response.status()).as(response.body()).isEqualTo(201);
                            created++;
                        }
                        return created;
                    }));
                }
                for (Future<Integer> writer : writers) {
                    assertThat(writer.get()).isEqualTo(8);
                }
            }
            String compliance = clientA.personToken("carla.compliance");
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(clientA.get(
                                            "/api/v1/audit/events?action=agent.registered&actor=3f1c2a9e-7b1d-4e0a-9c11-000000000a02&limit=100",
                                            compliance)
                                    .json()
                                    .get("items")
                                    .size())
                            .isGreaterThanOrEqualTo(32));
            JsonNode head = clientA.get("/api/v1/audit/events?limit=1", compliance)
                    .json()
                    .get("items")
                    .get(0);
            long last = head.get("sequence").asLong();
            JsonNode verification = clientA.get("/api/v1/audit/verify?from=1&to=" + last, compliance)
                    .json();
            assertThat(verification.get("valid").asBoolean())
                    .as(verification.toString())
                    .isTrue();
            assertThat(verification.get("checkpointsChecked").asInt()).isPositive();
            JsonNode fromB = clientB.get(
                            "/api/v1/audit/verify?from=1&to=" + last, clientB.personToken("carla.compliance"))
                    .json();
            assertThat(fromB.get("valid").asBoolean()).as(fromB.toString()).isTrue();

            // a kill switch engaged through A is in force on B at once: by notification, not by the (60 s)
            // reconciliation
            var switchesB = b.getBean(KillSwitches.class);
            assertThat(switchesB
                            .covers("demo-retrieval-agent", "image-search", "imaging-ct-deid")
                            .any())
                    .isFalse();
            var engaged = clientA.call(
                    "POST",
                    "/api/v1/kill-switches",
                    clientA.personToken("sam.secops"),
                    "{\"scope\":\"AGENT\",\"target\":\"demo-retrieval-agent\",\"reason\":\"exfiltration suspected\"}");
            assertThat(engaged.status()).as(engaged.body()).isEqualTo(201);
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> switchesB
                            .covers("demo-retrieval-agent", "image-search", "imaging-ct-deid")
                            .agent());
            assertThat((System.nanoTime() - start) / 1_000_000)
                    .as("milliseconds until B applied it")
                    .isLessThan(1000);
            // both instances report that they apply it, which the portal shows as "on every instance"
            UUID switchId = UUID.fromString(engaged.json().get("id").asString());
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() ->
                            assertThat(switchesB.applied().get(switchId)).isEqualTo(new KillSwitches.Applied(2, 2)));
        }
    }

    private static ConfigurableApplicationContext start(int port, Path data, List<String> shared, String... extra) {
        List<String> args = new ArrayList<>(shared);
        args.add("--server.port=" + port);
        args.add("--warden.identity.issuer=http://localhost:" + port);
        args.add("--warden.data-dir=" + data);
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(WardenApplication.class).run(args.toArray(String[]::new));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type
                + "-----\n";
    }

    /** Replicas share one key-encryption key for the embedded provider's signing key, as deployments configure it. */
    private static String sharedKeyEncryptionKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
