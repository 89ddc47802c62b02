package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.WardenApplication;
import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import io.warden.policy.internal.PolicyChanges;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.JsonNode;

/**
 * Two full Warden instances on one database, as replicas run, with reconciliation slowed to a minute so that only
 * the notifications can carry a change in time: a revocation made through A is in force on B when A answers, a
 * call racing the revocation never records a PERMIT after it returned, and an instance that cannot hear is named
 * in the answer (and still applies the change when it reconciles).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RevocationAcrossInstancesTests {

    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;
    static WardenClient clientA;
    static WardenClient clientB;
    static @Nullable String agentId;

    @BeforeAll
    static void twoInstances() throws Exception {
        Path data = Files.createTempDirectory("warden-revocation-");
        int databasePort = IntegrationTest.freePort();
        int portA = IntegrationTest.freePort();
        int portB = IntegrationTest.freePort();
        // the waits are wider than the 100 ms defaults so that a pause of this shared machine cannot fail the test:
        // what is tested is that an answer comes only once both instances apply the change; bench/ measures how fast
        List<String> shared = List.of(
                "--warden.identity.key-encryption-key=" + sharedKeyEncryptionKey(),
                "--warden.demo.enabled=true",
                "--warden.policy.kill-switch-reconcile=PT10M",
                "--warden.policy.propagation-wait=PT2S",
                "--warden.policy.self-test.bound=PT1S",
                "--warden.gateway.rate-limits.default-rate-per-second=100000",
                "--warden.gateway.rate-limits.default-burst=100000");
        a = start(
                portA,
                data.resolve("a"),
                shared,
                "--warden.db.port=" + databasePort,
                "--warden.policy.instance-name=instance-a");
        b = start(
                portB,
                data.resolve("b"),
                shared,
                "--warden.db.url=jdbc:postgresql://localhost:" + databasePort + "/warden",
                "--warden.db.user=warden_app",
                "--warden.db.password=" + IntegrationTest.embeddedPassword(data.resolve("a"), "application"),
                "--warden.db.migration-user=postgres",
                "--warden.db.migration-password=" + IntegrationTest.embeddedPassword(data.resolve("a"), "superuser"),
                "--warden.policy.instance-name=instance-b");
        for (var context : List.of(a, b)) {
            Embedder embedder = context.getBean(Embedder.class);
            context.getBean(VectorCollections.class)
                    .replace(
                            "ct-series",
                            IndexKind.FLAT,
                            embedder.dimension(),
                            TextItem.records(
                                    embedder,
                                    List.of(new TextItem(
                                            "s1", "CT chest axial", Map.of("dataset", "imaging-ct-deid")))));
        }
        clientA = new WardenClient("http://localhost:" + portA);
        clientB = new WardenClient("http://localhost:" + portB);
        // the gateway reads catalogued collections only: ct-series belongs to imaging-ct-deid
        assertThat(clientA.call("POST", "/api/v1/collections", clientA.personToken("ada.admin"), """
                                {"name":"ct-series","dataScope":"imaging-ct-deid","modality":"TEXT",
                                 "embeddingModel":"all-MiniLM-L6-v2","indexKind":"FLAT","deidentified":true}""")
                        .status())
                .isEqualTo(201);
        for (var item : clientA.get("/api/v1/agents?size=100", clientA.personToken("ada.admin"))
                .json()
                .get("items")) {
            if ("demo-retrieval-agent".equals(item.path("clientId").asString(null))) {
                agentId = item.get("id").asString();
            }
        }
        assertThat(agentId).isNotNull();
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

    static int callB(String agentToken) {
        return clientB.call("POST", "/gateway/v1/text-search", agentToken, """
                {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"CT chest","k":3}""").status();
    }

    static WardenClient.Response suspendOnA(String reason) {
        return clientA.call(
                "POST",
                "/api/v1/agents/" + agentId + "/suspend",
                clientA.personToken("sam.secops"),
                "{\"reason\":\"" + reason + "\"}");
    }

    static void reinstateOnA() {
        var reinstated = clientA.call(
                "POST",
                "/api/v1/agents/" + agentId + "/reinstate",
                clientA.personToken("ada.admin"),
                "{\"reason\":\"test over\"}");
        assertThat(reinstated.status()).as(reinstated.body()).isEqualTo(200);
    }

    @Test
    @Order(0)
    void theSelfTestProvesOnBothInstancesThatAKillSwitchStopsTrafficAndIsAudited() {
        String secops = clientA.personToken("sam.secops");
        var run = clientA.call("POST", "/api/v1/kill-switches/self-test", secops, null);
        assertThat(run.status()).as(run.body()).isEqualTo(200);
        JsonNode result = run.json();
        assertThat(result.get("passed").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.get("instances"))
                .extracting(each -> each.get("name").asString())
                .containsExactlyInAnyOrder("instance-a", "instance-b");
        assertThat(result.get("instances")).allSatisfy(each -> {
            assertThat(each.get("passed").asBoolean()).isTrue();
            assertThat(duration(each.get("refused"))).isLessThanOrEqualTo(duration(result.get("bound")));
            assertThat(each.get("recovered").isNull()).isFalse();
        });
        JsonNode listed = clientB.get("/api/v1/kill-switches/self-tests?limit=1", clientB.personToken("sam.secops"))
                .json();
        assertThat(listed.get(0).get("id").asString())
                .isEqualTo(result.get("id").asString());
        JsonNode audited = clientA.get(
                        "/api/v1/audit/events?action=kill_switch.self_test&limit=1",
                        clientA.personToken("carla.compliance"))
                .json()
                .get("items");
        assertThat(audited).singleElement().satisfies(record -> {
            assertThat(record.get("details").get("passed").asString()).isEqualTo("true");
            assertThat(record.get("details").toString())
                    .contains("instance-a: passed")
                    .contains("instance-b: passed");
        });
        assertThat(clientA.get("/api/v1/kill-switches", secops).json())
                .as("the canary's switch is released")
                .isEmpty();
    }

    @Test
    @Order(1)
    void aSuspensionThroughAIsInForceOnBWhenAAnswers() {
        String agentToken = clientB.agentToken("demo-retrieval-agent", "demo-retrieval-agent-secret");
        for (int trial = 0; trial < 10; trial++) {
            assertThat(callB(agentToken)).as("trial %d, before", trial).isEqualTo(200);
            var suspended = suspendOnA("trial " + trial);
            assertThat(suspended.status()).as(suspended.body()).isEqualTo(200);
            assertThat(suspended.header("Warden-Propagation"))
                    .as("confirmed by both instances")
                    .startsWith("confirmed=2; unconfirmed=0");
            assertThat(callB(agentToken))
                    .as("trial %d, right after the suspension returned", trial)
                    .isEqualTo(403);
            reinstateOnA();
            assertThat(callB(agentToken))
                    .as("trial %d, after reinstatement", trial)
                    .isEqualTo(200);
        }
    }

    @Test
    @Order(2)
    void noPermitIsRecordedAfterTheSuspensionReturnedWhileCallsRaceIt() throws Exception {
        String tokenA = clientA.agentToken("demo-retrieval-agent", "demo-retrieval-agent-secret");
        String tokenB = clientB.agentToken("demo-retrieval-agent", "demo-retrieval-agent-secret");
        String compliance = clientA.personToken("carla.compliance");
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<Integer>> callers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                WardenClient client = i % 2 == 0 ? clientA : clientB;
                String token = i % 2 == 0 ? tokenA : tokenB;
                callers.add(pool.submit(() -> {
                    int calls = 0;
                    while (!stop.get()) {
                        client.call("POST", "/gateway/v1/text-search", token, """
                                {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"CT","k":1}""");
                        calls++;
                    }
                    return calls;
                }));
            }
            Thread.sleep(1500); // calls at full speed, permitted
            var suspended = suspendOnA("race");
            Instant returned = Instant.now(); // the servers' clock: they run in this JVM
            assertThat(suspended.status()).as(suspended.body()).isEqualTo(200);
            long returnedAt = head(compliance);
            Thread.sleep(1000); // and go on calling after it
            stop.set(true);
            int total = 0;
            for (Future<Integer> caller : callers) {
                total += caller.get();
            }
            assertThat(total).as("calls made").isGreaterThan(20);
            await().atMost(Duration.ofSeconds(5)).until(() -> head(compliance) > returnedAt);
            JsonNode after = clientA.get(
                            "/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.decision&decision=PERMIT"
                                    + "&limit=100",
                            compliance)
                    .json()
                    .get("items");
            List<Long> late = new ArrayList<>();
            after.forEach(item -> {
                if (item.get("sequence").asLong() > returnedAt) {
                    late.add(item.get("sequence").asLong());
                }
            });
            assertThat(late)
                    .as("PERMIT records after the suspension returned (at sequence %d)", returnedAt)
                    .isEmpty();
            // and none recorded between the answer and the read of the head above
            List<String> afterAnswer = new ArrayList<>();
            clientA.get(
                            "/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.decision&decision=PERMIT&limit=100",
                            compliance)
                    .json()
                    .get("items")
                    .forEach(item -> {
                        if (Instant.parse(item.get("time").asString()).isAfter(returned)) {
                            afterAnswer.add(item.get("sequence").asString() + " at "
                                    + item.get("time").asString());
                        }
                    });
            assertThat(afterAnswer)
                    .as("PERMIT records timed after the suspension's answer (%s)", returned)
                    .isEmpty();
            JsonNode denied = clientA.get(
                            "/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.decision&decision=DENY&limit=5",
                            compliance)
                    .json()
                    .get("items");
            assertThat(denied)
                    .as("the calls after it were refused and recorded")
                    .isNotEmpty();
        } finally {
            stop.set(true);
            reinstateOnA();
        }
    }

    @Test
    @Order(3)
    void anInstanceThatCannotHearIsNamedInTheAnswerAndAppliesTheChangeWhenItReconciles() {
        String agentToken = clientB.agentToken("demo-retrieval-agent", "demo-retrieval-agent-secret");
        // B's listener for the policy-change notifications, by its bean name: stopping it makes B deaf
        SmartLifecycle earsOfB = b.getBean("postgresNotifications", SmartLifecycle.class);
        earsOfB.stop();
        try {
            var suspended = suspendOnA("B is deaf");
            assertThat(suspended.status()).isEqualTo(200);
            assertThat(suspended.header("Warden-Propagation")).startsWith("confirmed=1; unconfirmed=1");
            assertThat(suspended.header("Warden-Unconfirmed-Instances")).isEqualTo("instance-b");
            // B reconciles on its schedule (ten minutes here, so that it cannot happen inside the wait above by chance)
            b.getBean(PolicyChanges.class).reconcileNow();
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> callB(agentToken) == 403);

            var selfTest =
                    clientA.call("POST", "/api/v1/kill-switches/self-test", clientA.personToken("sam.secops"), null);
            assertThat(selfTest.status()).as(selfTest.body()).isEqualTo(200);
            assertThat(selfTest.json().get("passed").asBoolean())
                    .as("the self-test fails while B is deaf")
                    .isFalse();
            assertThat(selfTest.json().get("instances"))
                    .anySatisfy(each -> {
                        assertThat(each.get("name").asString()).isEqualTo("instance-b");
                        assertThat(each.get("passed").asBoolean()).isFalse();
                        assertThat(each.get("problem").asString()).contains("did not hear");
                    })
                    .anySatisfy(each -> {
                        assertThat(each.get("name").asString()).isEqualTo("instance-a");
                        assertThat(each.get("passed").asBoolean()).isTrue();
                    });
        } finally {
            earsOfB.start();
            reinstateOnA();
        }
    }

    /** A duration as the API writes it (ISO-8601, or seconds as a number). */
    private static Duration duration(JsonNode value) {
        return value.isNumber() ? Duration.ofNanos((long) (value.asDouble() * 1e9)) : Duration.parse(value.asString());
    }

    private static long head(String compliance) {
        return clientA.get("/api/v1/audit/events?limit=1", compliance)
                .json()
                .get("items")
                .get(0)
                .get("sequence")
                .asLong();
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
