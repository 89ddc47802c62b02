package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.WardenApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Threat: a crash of the Warden JVM (SIGKILL, OOM killer, power to the JVM only) leaves the embedded
 * PostgreSQL it started running, and the next start used to fail until someone killed that server by
 * hand. Warden runs here as child JVMs from the test classpath, so that it can really be killed.
 */
class CrashRecoveryTests {

    private static final Duration START_WAIT = Duration.ofMinutes(4);

    @Test
    void aKilledWardenStartsAgainOnItsFolderWithItsDataAndALiveOneKeepsItsFolder() throws Exception {
        Path data = Files.createTempDirectory("warden-crash-");
        int port = IntegrationTest.freePort();
        WardenClient client = new WardenClient("http://localhost:" + port);
        List<Process> children = new ArrayList<>();
        try {
            Process first = start(data, port, data.resolve("first.log"));
            children.add(first);
            awaitHealthy(first, port, data.resolve("first.log"));
            String token = client.personToken("otto.owner");
            var created = client.call("POST", "/api/v1/agents", token, """
                    {"name":"Survives a crash","kind":"RETRIEVAL","purpose":"p","dataScopes":["imaging-ct-deid"]}""");
            assertThat(created.status()).isEqualTo(201);
            String id = created.json().get("id").asString();

            // a second Warden on the folder a live one owns is refused, and leaves the live one alone
            int otherPort = IntegrationTest.freePort();
            Process second = start(data, otherPort, data.resolve("second.log"));
            children.add(second);
            assertThat(second.waitFor(START_WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the second Warden gives up")
                    .isTrue();
            assertThat(second.exitValue()).isNotZero();
            assertThat(Files.readString(data.resolve("second.log")))
                    .contains("Another Warden is running with its database in");
            assertThat(client.get("/api/v1/agents/" + id, token).status()).isEqualTo(200);

            long postmaster = postmasterPid(data);
            first.destroyForcibly();
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
                    .as("the killed Warden's PostgreSQL is still running, as after any crash")
                    .isTrue();

            Process third = start(data, port, data.resolve("third.log"));
            children.add(third);
            awaitHealthy(third, port, data.resolve("third.log"));
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
                    .as("the orphaned server was stopped")
                    .isFalse();
            var found = client.get("/api/v1/agents/" + id, token);
            assertThat(found.status())
                    .as("a token issued before the crash still verifies")
                    .isEqualTo(200);
            assertThat(found.json().get("name").asString()).isEqualTo("Survives a crash");
            assertThat(Files.readString(data.resolve("third.log"))).contains("Stopped the orphaned PostgreSQL");
        } finally {
            for (Process child : children) {
                child.destroy();
            }
            for (Process child : children) {
                if (!child.waitFor(60, TimeUnit.SECONDS)) {
                    child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
            stopLeftoverPostgres(data);
        }
    }

    private static Process start(Path data, int port, Path log) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(
                        java.toString(),
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        WardenApplication.class.getName(),
                        "--server.port=" + port,
                        "--warden.identity.issuer=http://localhost:" + port,
                        "--warden.data-dir=" + data,
                        "--warden.demo.enabled=true")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    private static void awaitHealthy(Process process, int port, Path log) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(START_WAIT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("Warden exited with " + process.exitValue() + ":\n" + tail(log));
            }
            try {
                var response = http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Warden did not become healthy within " + START_WAIT + ":\n" + tail(log));
    }

    private static long postmasterPid(Path data) throws IOException {
        return Long.parseLong(
                Files.readAllLines(data.resolve("pgdata/postmaster.pid")).get(0).trim());
    }

    /** Whatever went wrong above, no PostgreSQL of this test outlives it (SIGINT: fast shutdown). */
    private static void stopLeftoverPostgres(Path data) throws Exception {
        Path pidFile = data.resolve("pgdata/postmaster.pid");
        if (Files.isRegularFile(pidFile)) {
            long pid = postmasterPid(data);
            var handle = ProcessHandle.of(pid);
            if (handle.isPresent() && handle.get().info().command().orElse("").endsWith("postgres")) {
                new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
                handle.get().onExit().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static String tail(Path log) throws IOException {
        String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        return text.substring(Math.max(0, text.length() - 6000));
    }
}
