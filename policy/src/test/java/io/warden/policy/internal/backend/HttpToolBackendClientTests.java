package io.warden.policy.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The HTTP backend against a real HTTP server on this machine. */
class HttpToolBackendClientTests {

    private static final String SCHEMA = """
            {"type":"object","properties":{"id":{"type":"string"},"n":{"type":"integer"}},"required":["id"]}""";

    private static HttpServer server;
    private static String base;
    private static final List<String> SEEN = new CopyOnWriteArrayList<>();

    private final HttpToolBackendClient client = new HttpToolBackendClient(
            Tools.localGuard(),
            name -> name.equals("token") ? Optional.of("s3cret") : Optional.empty(),
            JsonMapper.builder().build(),
            Clock.systemUTC());

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/patients/", ex -> {
            SEEN.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + " "
                    + ex.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            reply(ex, 200, "{\"ok\":true}");
        });
        server.createContext("/list", ex -> reply(ex, 200, "[1,2,3]"));
        server.createContext("/fail", ex -> reply(ex, 500, "{\"error\":\"boom\"}"));
        server.createContext("/big", ex -> {
            ex.sendResponseHeaders(200, 0); // chunked: no Content-Length to refuse early
            try (OutputStream out = ex.getResponseBody()) {
                byte[] block = new byte[8192];
                for (int i = 0; i < 64; i++) {
                    out.write(block);
                }
            } catch (IOException closedByClient) {
                // the client stops reading at its cap
            }
        });
        server.createContext("/slow", ex -> {
            try {
                Thread.sleep(10_000);
                reply(ex, 200, "{}");
            } catch (InterruptedException | IOException e) {
                // the client gave up first: nothing to answer
            }
        });
        server.createContext("/redirect", ex -> {
            ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.start();
        base = "http://localhost:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static ToolView http(String method, String path, @Nullable String secret, String schema) {
        return Tools.tool(
                "t", new ToolBackend.Http(method, base + path, Duration.ofSeconds(2), 16_384, secret, false), schema);
    }

    private static Map<String, @Nullable Object> args(Object... kv) {
        Map<String, @Nullable Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void getFillsThePathFromTheArgumentsEncodedAndSendsNoBody() throws Exception {
        SEEN.clear();
        var answer = client.call(
                http("GET", "/patients/{id}", "token", SCHEMA),
                args("id", "a/b c?x"),
                Duration.ofSeconds(5),
                "trace-1");
        assertThat(answer.toolError()).isFalse();
        assertThat(answer.structured()).containsEntry("ok", true);
        assertThat(answer.resultBytes()).isEqualTo(11);
        assertThat(answer.upstream())
                .isEqualTo("localhost:" + server.getAddress().getPort());
        assertThat(SEEN).containsExactly("GET /patients/a%2Fb%20c%3Fx Bearer s3cret ");
    }

    @Test
    void postSendsTheRemainingArgumentsAsTheBody() throws Exception {
        SEEN.clear();
        client.call(
                http("POST", "/patients/{id}", null, SCHEMA), args("id", "p1", "n", 3), Duration.ofSeconds(5), null);
        assertThat(SEEN).containsExactly("POST /patients/p1 null {\"n\":3}");
    }

    @Test
    void aJsonAnswerThatIsNotAnObjectIsWrappedAsValue() throws Exception {
        var answer = client.call(http("GET", "/list", null, ""), args(), Duration.ofSeconds(5), null);
        assertThat(answer.structured()).containsEntry("value", List.of(1, 2, 3));
    }

    @Test
    void aServerErrorIsAToolErrorWithTheStatus() throws Exception {
        var answer = client.call(http("GET", "/fail", null, ""), args(), Duration.ofSeconds(5), null);
        assertThat(answer.toolError()).isTrue();
        assertThat(answer.structured()).containsEntry("status", 500);
        assertThat(answer.content().getFirst().get("text")).asString().startsWith("HTTP 500");
    }

    @Test
    void argumentsThatDoNotMatchTheSchemaAreRefusedBeforeAnyConnection() {
        SEEN.clear();
        assertThatThrownBy(() -> client.call(
                        http("POST", "/patients/x", null, SCHEMA), args("n", "three"), Duration.ofSeconds(5), null))
                .isInstanceOfSatisfying(BackendFailure.class, f -> {
                    assertThat(f.code()).isEqualTo(BackendFailure.INVALID_ARGUMENTS);
                    assertThat(f.invalidInput()).isTrue();
                });
        assertThat(SEEN).isEmpty();
    }

    @Test
    void anAnswerPastTheCapFailsWhileStreaming() {
        assertThatThrownBy(() -> client.call(http("GET", "/big", null, ""), args(), Duration.ofSeconds(5), null))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.RESPONSE_TOO_LARGE));
    }

    @Test
    void aSlowBackendTimesOutAtTheDeadline() {
        assertThatThrownBy(() -> client.call(http("GET", "/slow", null, ""), args(), Duration.ofMillis(300), null))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.UPSTREAM_TIMEOUT));
    }

    @Test
    void interruptingTheCallerCancelsTheCall() throws Exception {
        CompletableFuture<BackendFailure> failure = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                client.call(http("GET", "/slow", null, ""), args(), Duration.ofSeconds(30), null);
            } catch (BackendFailure f) {
                failure.complete(f);
            }
        });
        Thread.sleep(300);
        caller.interrupt();
        assertThat(failure.get(5, TimeUnit.SECONDS).code()).isEqualTo(BackendFailure.CANCELLED);
    }

    @Test
    void aRedirectIsRefusedAndNotFollowed() {
        assertThatThrownBy(() -> client.call(http("GET", "/redirect", null, ""), args(), Duration.ofSeconds(5), null))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.EGRESS_REFUSED));
    }

    @Test
    void aHostOffTheAllowlistIsRefused() {
        var tool = Tools.tool(
                "t",
                new ToolBackend.Http("GET", "http://169.254.169.254/latest", Duration.ofSeconds(1), 100, null, false),
                "");
        assertThatThrownBy(() -> client.call(tool, args(), Duration.ofSeconds(5), null))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.EGRESS_REFUSED));
    }

    @Test
    void aSchemaWithARemoteReferenceIsNotFetched() {
        String remote = "{\"$ref\":\"http://169.254.169.254/schema.json\"}";
        assertThatThrownBy(() -> client.call(http("GET", "/list", null, remote), args(), Duration.ofSeconds(5), null))
                .isInstanceOf(BackendFailure.class);
    }
}
