package io.warden.policy.internal.backend;

import io.warden.registry.BackendKind;
import io.warden.registry.McpServerView;
import io.warden.registry.McpServerView.UpstreamAuth;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Forwards a call to a tool of an upstream MCP server ({@link ToolBackend.Mcp}) and lists a server's tools for
 * import. One session per registered server, opened on first use and opened again after a failure or when the
 * server's registration changes (its version). Authentication: none, a bearer secret, or an OAuth 2.0
 * client-credentials token fetched through the egress guard and kept until shortly before it expires. Every
 * connection (MCP endpoint and token URL) passes the {@link EgressGuard}. When the gateway interrupts a call (kill
 * switch, deadline), the upstream gets {@code notifications/cancelled} for the request (see
 * {@link StreamableHttpSession} for why Warden speaks the protocol itself). Thread-safe.
 */
public final class McpToolBackendClient implements ToolBackendClient {

    /** Tokens are renewed this long before the upstream says they expire. */
    private static final Duration TOKEN_MARGIN = Duration.ofSeconds(30);

    private static final long LIST_CAP = 4L << 20;
    private static final long CALL_CAP = 16L << 20;

    private final McpServers servers;
    private final EgressGuard guard;
    private final BackendSecrets secrets;
    private final JsonMapper json;
    private final Clock clock;
    private final HttpClient http = EgressGuard.newClient(Duration.ofSeconds(5));
    private final Map<String, Upstream> upstreams = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    /** A tool as its server lists it. */
    public record UpstreamTool(String name, String description, Map<String, Object> inputSchema) {}

    /**
     * An open session and the Authorization header its requests carry, set again before every request: a
     * client-credentials token is renewed while the session lives, not only when it opens.
     */
    private record Upstream(long version, StreamableHttpSession session, AtomicReference<@Nullable String> auth) {}

    private record Token(long version, String value, Instant renewAt) {}

    public McpToolBackendClient(
            McpServers servers, EgressGuard guard, BackendSecrets secrets, JsonMapper json, Clock clock) {
        this.servers = Objects.requireNonNull(servers, "servers");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.json = Objects.requireNonNull(json, "json");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public BackendKind kind() {
        return BackendKind.MCP;
    }

    @Override
    public BackendAnswer call(
            ToolView tool, Map<String, @Nullable Object> arguments, Duration deadline, @Nullable String traceId)
            throws BackendFailure {
        if (!(tool.target() instanceof ToolBackend.Mcp target)) {
            throw new IllegalArgumentException("tool " + tool.key() + " is not an MCP tool");
        }
        McpServerView server = server(target.server());
        ObjectNode params = json.createObjectNode().put("name", target.upstreamTool());
        params.set("arguments", json.valueToTree(arguments));
        if (traceId != null) {
            params.putObject("_meta").put("traceId", traceId);
        }
        Instant start = clock.instant();
        StreamableHttpSession.Answer answer = request(server, "tools/call", params, deadline, CALL_CAP);
        long micros = ChronoUnit.MICROS.between(start, clock.instant());
        return toAnswer(answer, server.key(), micros);
    }

    /** The server's tools, all pages. */
    public List<UpstreamTool> listTools(String serverKey, Duration timeout) throws BackendFailure {
        McpServerView server = server(serverKey);
        List<UpstreamTool> tools = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 100; page++) {
            ObjectNode params = json.createObjectNode();
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonNode result =
                    request(server, "tools/list", params, timeout, LIST_CAP).result();
            for (JsonNode t : result.path("tools")) {
                Map<String, Object> schema = t.path("inputSchema").isObject()
                        ? json.convertValue(t.get("inputSchema"), JsonMaps.MAP)
                        : Map.of("type", "object");
                tools.add(new UpstreamTool(
                        t.path("name").asString(""), t.path("description").asString(""), schema));
            }
            cursor = result.path("nextCursor").isString()
                    ? result.get("nextCursor").asString()
                    : null;
            if (cursor == null) {
                break;
            }
        }
        return tools;
    }

    private McpServerView server(String key) throws BackendFailure {
        Optional<McpServerView> found;
        try {
            found = servers.find(key);
        } catch (RuntimeException e) {
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_UNAVAILABLE,
                    "the registration of MCP server " + key + " could not be read",
                    e);
        }
        return found.orElseThrow(() -> new BackendFailure(
                BackendFailure.UPSTREAM_UNAVAILABLE, "the MCP server " + key + " is not registered"));
    }

    private StreamableHttpSession.Answer request(
            McpServerView server, String method, JsonNode params, Duration timeout, long cap) throws BackendFailure {
        // one retry: the upstream may have dropped the session, or the token may have been revoked early
        for (int attempt = 0; ; attempt++) {
            StreamableHttpSession session = session(server, timeout);
            try {
                return session.request(method, params, timeout, cap);
            } catch (StreamableHttpSession.SessionExpired | StreamableHttpSession.Unauthorized e) {
                forget(server.key(), e instanceof StreamableHttpSession.Unauthorized);
                if (attempt > 0) {
                    throw new BackendFailure(BackendFailure.UPSTREAM_UNAVAILABLE, String.valueOf(e.getMessage()), e);
                }
            } catch (BackendFailure f) {
                if (!f.code().equals(BackendFailure.CANCELLED) && !f.invalidInput()) {
                    forget(server.key(), false); // the next call starts afresh
                }
                throw f;
            }
        }
    }

    private StreamableHttpSession session(McpServerView server, Duration timeout) throws BackendFailure {
        URI endpoint = uri(server.url());
        // checked on every request, not only when the session opens: a host taken off the allowlist stops the
        // calls of a session that is already open (its pooled connection would never resolve the name again)
        guard.check(endpoint);
        String authorization = authorization(server); // from the token cache while the token is fresh
        Upstream current = upstreams.get(server.key());
        if (current != null && current.version() == server.version()) {
            current.auth().set(authorization);
            return current.session();
        }
        AtomicReference<@Nullable String> auth = new AtomicReference<>(authorization);
        var session = new StreamableHttpSession(endpoint, http, json, () -> Optional.ofNullable(auth.get()));
        try {
            session.initialize(timeout);
        } catch (StreamableHttpSession.SessionExpired | StreamableHttpSession.Unauthorized e) {
            tokens.remove(server.key());
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_UNAVAILABLE, "the MCP server " + server.key() + ": " + e.getMessage(), e);
        }
        Upstream previous = upstreams.put(server.key(), new Upstream(server.version(), session, auth));
        if (previous != null) {
            previous.session().close();
        }
        return session;
    }

    private void forget(String key, boolean token) {
        Upstream gone = upstreams.remove(key);
        if (gone != null) {
            gone.session().close();
        }
        if (token) {
            tokens.remove(key);
        }
    }

    private @Nullable String authorization(McpServerView server) throws BackendFailure {
        UpstreamAuth auth = server.auth();
        return switch (auth.kind()) {
            case NONE -> null;
            case BEARER -> "Bearer " + secret(server, auth.secret());
            case CLIENT_CREDENTIALS -> "Bearer " + token(server);
        };
    }

    private String secret(McpServerView server, @Nullable String name) throws BackendFailure {
        if (name == null) {
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_UNAVAILABLE, "the MCP server " + server.key() + " names no secret");
        }
        Optional<String> value;
        try {
            value = secrets.get(name);
        } catch (RuntimeException e) {
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_UNAVAILABLE,
                    "the secret of MCP server " + server.key() + " could not be read",
                    e);
        }
        return value.orElseThrow(() -> new BackendFailure(
                BackendFailure.UPSTREAM_UNAVAILABLE, "the secret of MCP server " + server.key() + " is not set"));
    }

    /** An OAuth 2.0 client-credentials access token (RFC 6749 §4.4), from the cache while it is fresh. */
    private String token(McpServerView server) throws BackendFailure {
        Token cached = tokens.get(server.key());
        Instant now = clock.instant();
        if (cached != null && cached.version() == server.version() && now.isBefore(cached.renewAt())) {
            return cached.value();
        }
        UpstreamAuth auth = server.auth();
        if (auth.tokenUrl() == null || auth.clientId() == null) {
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_UNAVAILABLE,
                    "the MCP server " + server.key() + " lacks a token URL or client id");
        }
        URI tokenUrl = uri(auth.tokenUrl());
        guard.check(tokenUrl);
        String clientSecret = secret(server, auth.secret());
        String form = "grant_type=client_credentials"
                + (auth.scope() == null ? "" : "&scope=" + URLEncoder.encode(auth.scope(), StandardCharsets.UTF_8));
        String basic = Base64.getEncoder()
                .encodeToString((URLEncoder.encode(auth.clientId(), StandardCharsets.UTF_8) + ":"
                                + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(tokenUrl)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.sendAsync(request, CappedBody.handler(64 * 1024)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendFailure(BackendFailure.CANCELLED, "the call was cancelled");
        } catch (ExecutionException e) {
            throw new BackendFailure(BackendFailure.UPSTREAM_UNAVAILABLE, "the token endpoint could not be reached", e);
        }
        if (response.statusCode() != 200) {
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_UNAVAILABLE, "the token endpoint answered " + response.statusCode());
        }
        try {
            JsonNode body = json.readTree(response.body());
            String value = body.path("access_token").asString("");
            if (value.isEmpty()) {
                throw new BackendFailure(
                        BackendFailure.UPSTREAM_UNAVAILABLE, "the token endpoint sent no access_token");
            }
            long expiresIn = body.path("expires_in").asLong(60);
            Instant renewAt = now.plusSeconds(expiresIn).minus(TOKEN_MARGIN);
            tokens.put(server.key(), new Token(server.version(), value, renewAt));
            return value;
        } catch (JacksonException e) {
            throw new BackendFailure(BackendFailure.UPSTREAM_UNAVAILABLE, "the token endpoint's answer is not JSON", e);
        }
    }

    private static URI uri(String url) throws BackendFailure {
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            throw new BackendFailure(BackendFailure.EGRESS_REFUSED, "not a valid URL: " + url, e);
        }
    }

    private BackendAnswer toAnswer(StreamableHttpSession.Answer answer, String upstream, long micros) {
        JsonNode result = answer.result();
        List<Map<String, Object>> content = new ArrayList<>();
        for (JsonNode block : result.path("content")) {
            if (block.isObject()) {
                content.add(json.convertValue(block, JsonMaps.MAP));
            }
        }
        Map<String, Object> structured = null;
        JsonNode sc = result.get("structuredContent");
        if (sc != null && sc.isObject()) {
            structured = json.convertValue(sc, JsonMaps.MAP);
        } else if (sc != null && !sc.isNull()) {
            structured = new LinkedHashMap<>();
            structured.put("value", json.convertValue(sc, Object.class));
        }
        boolean error = result.path("isError").asBoolean(false);
        return new BackendAnswer(content, structured, error, answer.bytes(), upstream, micros);
    }
}
