package io.warden.policy.internal.backend;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One MCP session with an upstream server over Streamable HTTP (2025-03-26 … 2025-11-25): initialize, then
 * JSON-RPC requests whose ids this class chooses.
 *
 * <p>Why not the SDK's client: {@code McpSyncClient} picks the JSON-RPC ids itself, never shows them, and has no way
 * to send {@code notifications/cancelled}; an abandoned call kept running upstream. The gateway must stop upstream
 * work when a kill switch engages or a deadline passes, so Warden speaks the few messages it needs itself (the
 * SDK's server is the peer in the tests). Answers are read up to a cap, whether plain JSON or an SSE stream.
 * Thread-safe: concurrent requests share the session.
 */
final class StreamableHttpSession {

    static final List<String> PROTOCOL_VERSIONS = List.of("2025-03-26", "2025-06-18", "2025-11-25");

    /** The upstream forgot the session (HTTP 404 to a request carrying its id): start a new one. */
    static final class SessionExpired extends Exception {
        private static final long serialVersionUID = 1L;

        SessionExpired() {
            super("the upstream no longer knows the session");
        }
    }

    /** The upstream refused the credentials (401/403). */
    static final class Unauthorized extends Exception {
        private static final long serialVersionUID = 1L;

        Unauthorized(int status) {
            super("the upstream answered " + status);
        }
    }

    /** An answer: the JSON-RPC result, and its size as received. */
    record Answer(JsonNode result, long bytes) {}

    private final URI endpoint;
    private final HttpClient http;
    private final JsonMapper json;
    private final Supplier<Optional<String>> authorization;
    private final AtomicLong ids = new AtomicLong();
    private volatile @Nullable String sessionId;
    private volatile String protocolVersion = PROTOCOL_VERSIONS.getLast();

    StreamableHttpSession(URI endpoint, HttpClient http, JsonMapper json, Supplier<Optional<String>> authorization) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.http = http;
        this.json = json;
        this.authorization = authorization;
    }

    void initialize(Duration timeout) throws BackendFailure, SessionExpired, Unauthorized {
        ObjectNode params = json.createObjectNode();
        params.put("protocolVersion", PROTOCOL_VERSIONS.getLast());
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "warden").put("version", "1");
        JsonNode result = request("initialize", params, timeout, 1 << 20).result();
        String offered = result.path("protocolVersion").asString("");
        if (!PROTOCOL_VERSIONS.contains(offered)) {
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_UNAVAILABLE,
                    "the upstream speaks protocol " + offered + ", not one of " + PROTOCOL_VERSIONS);
        }
        protocolVersion = offered;
        notify("notifications/initialized", json.createObjectNode());
    }

    /** Sends one request and waits for its answer; on interruption or timeout tells the upstream to stop. */
    Answer request(String method, JsonNode params, Duration timeout, long cap)
            throws BackendFailure, SessionExpired, Unauthorized {
        long id = ids.incrementAndGet();
        ObjectNode message =
                json.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        message.set("params", params);
        HttpRequest request = post(message, timeout);
        CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(request, CappedBody.handler(cap));
        HttpResponse<byte[]> response;
        try {
            response = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            cancel(id, "cancelled by the gateway");
            Thread.currentThread().interrupt();
            throw new BackendFailure(BackendFailure.CANCELLED, "the call was cancelled");
        } catch (TimeoutException e) {
            future.cancel(true);
            cancel(id, "deadline passed");
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_TIMEOUT, "the upstream did not answer within " + timeout, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof CappedBody.TooLarge) {
                cancel(id, "answer too large");
                throw new BackendFailure(BackendFailure.RESPONSE_TOO_LARGE, String.valueOf(cause.getMessage()), cause);
            }
            if (cause instanceof HttpTimeoutException) {
                cancel(id, "deadline passed");
                throw new BackendFailure(
                        BackendFailure.UPSTREAM_TIMEOUT, "the upstream did not answer within " + timeout, cause);
            }
            throw new BackendFailure(BackendFailure.UPSTREAM_UNAVAILABLE, "the upstream could not be reached", cause);
        }
        int status = response.statusCode();
        if (status == 404 && sessionId != null) {
            throw new SessionExpired();
        }
        if (status == 401 || status == 403) {
            throw new Unauthorized(status);
        }
        if (status >= 300 && status < 400) {
            throw new BackendFailure(
                    BackendFailure.EGRESS_REFUSED, "the upstream answered " + status + "; redirects are not followed");
        }
        if (status != 200) {
            throw new BackendFailure(BackendFailure.UPSTREAM_UNAVAILABLE, "the upstream answered HTTP " + status);
        }
        response.headers().firstValue("Mcp-Session-Id").ifPresent(s -> sessionId = s);
        JsonNode reply = find(response, id);
        if (reply.has("error")) {
            JsonNode error = reply.get("error");
            int code = error.path("code").asInt();
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_UNAVAILABLE,
                    "the upstream refused " + method + ": " + code + " "
                            + error.path("message").asString(""),
                    code == -32602);
        }
        return new Answer(reply.path("result"), response.body().length);
    }

    /** The JSON-RPC response with {@code id}, from a JSON body or an SSE stream of messages. */
    private JsonNode find(HttpResponse<byte[]> response, long id) throws BackendFailure {
        String type = response.headers().firstValue("Content-Type").orElse("");
        String body = new String(response.body(), StandardCharsets.UTF_8);
        try {
            if (!type.startsWith("text/event-stream")) {
                JsonNode node = json.readTree(body);
                if (node.path("id").asLong(-1) == id) {
                    return node;
                }
            } else {
                StringBuilder data = new StringBuilder();
                for (String line : (body + "\n\n").split("\r?\n", -1)) {
                    if (line.startsWith("data:")) {
                        data.append(line.substring(5).strip()).append('\n');
                    } else if (line.isEmpty() && !data.isEmpty()) {
                        JsonNode node = json.readTree(data.toString());
                        data.setLength(0);
                        if (node.path("id").asLong(-1) == id && (node.has("result") || node.has("error"))) {
                            return node;
                        }
                    }
                }
            }
        } catch (JacksonException e) {
            throw new BackendFailure(BackendFailure.UPSTREAM_UNAVAILABLE, "the upstream's answer is not JSON-RPC", e);
        }
        throw new BackendFailure(
                BackendFailure.UPSTREAM_UNAVAILABLE, "the upstream's answer does not answer request " + id);
    }

    /** Tells the upstream to stop working on request {@code id}; best effort, it does not wait for the upstream. */
    void cancel(long id, String reason) {
        ObjectNode params = json.createObjectNode().put("requestId", id).put("reason", reason);
        try {
            http.sendAsync(
                    post(notification("notifications/cancelled", params), Duration.ofSeconds(5)),
                    HttpResponse.BodyHandlers.discarding());
        } catch (RuntimeException e) {
            // the call fails as cancelled either way; an upstream that misses the notice finishes and is ignored
        }
    }

    private void notify(String method, JsonNode params) throws BackendFailure {
        try {
            HttpResponse<Void> response = http.send(
                    post(notification(method, params), Duration.ofSeconds(10)), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() >= 300) {
                throw new BackendFailure(
                        BackendFailure.UPSTREAM_UNAVAILABLE,
                        "the upstream answered " + method + " with " + response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendFailure(BackendFailure.CANCELLED, "the call was cancelled");
        } catch (IOException e) {
            throw new BackendFailure(BackendFailure.UPSTREAM_UNAVAILABLE, "the upstream could not be reached", e);
        }
    }

    /** Ends the session upstream (DELETE); best effort. */
    void close() {
        String id = sessionId;
        if (id == null) {
            return;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(5))
                .DELETE()
                .header("Mcp-Session-Id", id);
        authorization.get().ifPresent(a -> b.header("Authorization", a));
        http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding());
    }

    private ObjectNode notification(String method, JsonNode params) {
        ObjectNode message = json.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        message.set("params", params);
        return message;
    }

    private HttpRequest post(JsonNode message, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", protocolVersion)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(message)));
        String id = sessionId;
        if (id != null) {
            b.header("Mcp-Session-Id", id);
        }
        authorization.get().ifPresent(a -> b.header("Authorization", a));
        return b.build();
    }
}
