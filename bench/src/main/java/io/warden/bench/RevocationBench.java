package io.warden.bench;

import io.warden.WardenApplication;
import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Enforcement across instances, through two full Warden instances on one database (as replicas run; the
 * reconciliation is slowed to a minute, so only the notifications can carry a change in time):
 * <ul>
 * <li>{@code revocation_*_ms}: an admin suspends the demo agent through instance A; the figure is the time from
 * A's answer arriving to instance B's gateway refusing that agent's call (B is called at once, and again until it
 * refuses), over {@code --trials} trials after ten warm-up trials. The agent is reinstated between trials.</li>
 * <li>{@code killswitch_*_ms}: the same for a DATASET kill switch engaged through A's API.</li>
 * <li>{@code selftest_s}: the median of {@code --selftests} kill-switch self-tests over both instances.</li>
 * </ul>
 * Arguments: {@code --trials 100 --selftests 5}. Prints one JSON object.
 */
public final class RevocationBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final String SEARCH = """
            {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"CT chest","k":1}""";

    public static void main(String[] args) throws Exception {
        int trials = argument(args, "--trials", 100);
        int selfTests = argument(args, "--selftests", 5);
        Path data = Files.createTempDirectory("warden-revocation-bench");
        int databasePort = freePort();
        int portA = freePort();
        int portB = freePort();
        List<String> shared = List.of(
                "--warden.identity.key-encryption-key=" + sharedKeyEncryptionKey(),
                "--warden.demo.enabled=true",
                "--warden.policy.kill-switch-reconcile=PT60S",
                "--warden.gateway.rate-limits.default-rate-per-second=1000000",
                "--warden.gateway.rate-limits.default-burst=1000000",
                "--logging.level.root=WARN");
        try (ConfigurableApplicationContext a = start(
                        portA,
                        data.resolve("a"),
                        shared,
                        "--warden.db.port=" + databasePort,
                        "--warden.policy.instance-name=a");
                ConfigurableApplicationContext b = start(
                        portB,
                        data.resolve("b"),
                        shared,
                        "--warden.db.url=jdbc:postgresql://localhost:" + databasePort + "/warden",
                        "--warden.db.user=warden_app",
                        "--warden.db.password=" + embeddedPassword(data.resolve("a"), "application"),
                        "--warden.db.migration-user=postgres",
                        "--warden.db.migration-password=" + embeddedPassword(data.resolve("a"), "superuser"),
                        "--warden.policy.instance-name=b")) {
            for (var context : List.of(a, b)) {
                Embedder embedder = context.getBean(Embedder.class);
                context.getBean(VectorCollections.class)
                        .replace(
                                "ct-series",
                                IndexKind.FLAT,
                                embedder.dimension(),
                                TextItem.records(
                                        embedder,
                                        List.of(new TextItem("s1", "CT chest", Map.of("dataset", "imaging-ct-deid")))));
            }
            URI baseA = URI.create("http://localhost:" + portA);
            URI baseB = URI.create("http://localhost:" + portB);
            String admin = personToken(baseA, "ada.admin");
            String secops = personToken(baseA, "sam.secops");
            String agentB = agentToken(baseB);
            String agentId = null;
            for (JsonNode item : JSON.readTree(send(baseA, "GET", "/api/v1/agents?size=100", admin, null)
                            .body())
                    .get("items")) {
                if ("demo-retrieval-agent".equals(item.path("clientId").asString(null))) {
                    agentId = item.get("id").asString();
                }
            }
            List<Double> revocation = new ArrayList<>();
            List<Double> killSwitch = new ArrayList<>();
            for (int trial = 0; trial < trials + 10; trial++) {
                untilServed(
                        baseB, agentB); // a release or reinstatement is not waited for: B hears of it within moments
                expect(
                        send(baseA, "POST", "/api/v1/agents/" + agentId + "/suspend", secops, "{\"reason\":\"trial\"}"),
                        200);
                double suspended = untilRefused(baseB, agentB);
                expect(
                        send(
                                baseA,
                                "POST",
                                "/api/v1/agents/" + agentId + "/reinstate",
                                admin,
                                "{\"reason\":\"trial over\"}"),
                        200);

                untilServed(baseB, agentB);
                var engaged = send(
                        baseA,
                        "POST",
                        "/api/v1/kill-switches",
                        secops,
                        "{\"scope\":\"DATASET\",\"target\":\"imaging-ct-deid\",\"reason\":\"trial\"}");
                expect(engaged, 201);
                double killed = untilRefused(baseB, agentB);
                String id = JSON.readTree(engaged.body()).get("id").asString();
                expect(
                        send(
                                baseA,
                                "POST",
                                "/api/v1/kill-switches/" + id + "/release",
                                admin,
                                "{\"reason\":\"trial over\"}"),
                        200);
                if (trial >= 10) { // the first ten warm up connections and code
                    revocation.add(suspended);
                    killSwitch.add(killed);
                }
            }
            List<Double> selfTestSeconds = new ArrayList<>();
            boolean allPassed = true;
            for (int run = 0; run < selfTests; run++) {
                long started = System.nanoTime();
                var result = send(baseA, "POST", "/api/v1/kill-switches/self-test", secops, null);
                selfTestSeconds.add((System.nanoTime() - started) / 1e9);
                expect(result, 200);
                allPassed &= JSON.readTree(result.body()).get("passed").asBoolean();
            }
            System.out.printf(
                    Locale.ROOT,
                    "{\"trials\": %d, \"revocation_p50_ms\": %.2f, \"revocation_p99_ms\": %.2f, "
                            + "\"revocation_max_ms\": %.2f, \"killswitch_p50_ms\": %.2f, \"killswitch_p99_ms\": %.2f, \"killswitch_max_ms\": %.2f, "
                            + "\"selftest_s\": %.3f, \"selftest_runs\": %d, \"selftest_all_passed\": %s}%n",
                    revocation.size(),
                    percentile(revocation, 0.5),
                    percentile(revocation, 0.99),
                    percentile(revocation, 1.0),
                    percentile(killSwitch, 0.5),
                    percentile(killSwitch, 0.99),
                    percentile(killSwitch, 1.0),
                    percentile(selfTestSeconds, 0.5),
                    selfTestSeconds.size(),
                    allPassed);
        }
    }

    /** Milliseconds from now until B's gateway refuses the agent's call (403), calling at once and then again. */
    private static double untilRefused(URI base, String agentToken) throws Exception {
        long returned = System.nanoTime();
        while (true) {
            var answer = send(base, "POST", "/gateway/v1/text-search", agentToken, SEARCH);
            if (answer.statusCode() == 403) {
                return (System.nanoTime() - returned) / 1e6;
            }
            if (System.nanoTime() - returned > Duration.ofSeconds(70).toNanos()) {
                throw new IllegalStateException("B never refused: " + answer.statusCode() + " " + answer.body());
            }
        }
    }

    private static void untilServed(URI base, String agentToken) throws Exception {
        long started = System.nanoTime();
        while (send(base, "POST", "/gateway/v1/text-search", agentToken, SEARCH).statusCode() != 200) {
            if (System.nanoTime() - started > Duration.ofSeconds(70).toNanos()) {
                throw new IllegalStateException("B never served the agent again");
            }
            Thread.sleep(1);
        }
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static void expect(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(
                    "expected " + status + ", got " + response.statusCode() + ": " + response.body());
        }
    }

    private static HttpResponse<String> send(URI base, String method, String path, String token, @Nullable String json)
            throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token);
        if (json != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String agentToken(URI base) throws Exception {
        String basic = Base64.getEncoder()
                .encodeToString("demo-retrieval-agent:demo-retrieval-agent-secret".getBytes(StandardCharsets.UTF_8));
        var response = HTTP.send(
                HttpRequest.newBuilder(base.resolve("/oauth2/token"))
                        .header("Authorization", "Basic " + basic)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        expect(response, 200);
        return JSON.readTree(response.body()).get("access_token").asString();
    }

    /** A person's token through the authorization-code flow with PKCE, as bin/warden-token gets one. */
    private static String personToken(URI base, String username) throws Exception {
        return PersonTokens.token(base, username, "warden-demo");
    }

    private static ConfigurableApplicationContext start(int port, Path data, List<String> shared, String... extra) {
        List<String> args = new ArrayList<>(shared);
        args.add("--server.port=" + port);
        args.add("--warden.identity.issuer=http://localhost:" + port);
        args.add("--warden.data-dir=" + data);
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(WardenApplication.class).run(args.toArray(String[]::new));
    }

    /** A password the embedded PostgreSQL of the Warden on {@code wardenDataDir} requires; B connects to A's. */
    private static String embeddedPassword(Path wardenDataDir, String which) throws IOException {
        Properties passwords = new Properties();
        try (var reader = Files.newBufferedReader(wardenDataDir.resolve("pgdata/warden-passwords.properties"))) {
            passwords.load(reader);
        }
        return passwords.getProperty(which);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int argument(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    /** Replicas share one key-encryption key for the embedded provider's signing key, as deployments configure it. */
    private static String sharedKeyEncryptionKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
