package io.warden.policy.internal.backend;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.warden.registry.BackendKind;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Forwards a call to a JSON-over-HTTP operation ({@link ToolBackend.Http}): the arguments are checked against the
 * tool's input schema, {@code {name}} placeholders of the URL template take the arguments of that name
 * (percent-encoded), the remaining arguments are the JSON body (none for GET and DELETE). The connection passes the
 * {@link EgressGuard}; redirects are not followed (a 3xx fails the call); the answer is read up to the tool's cap
 * and no further; the call ends at the tool's timeout or the gateway's deadline, whichever comes first, and when
 * the calling thread is interrupted. Thread-safe.
 */
public final class HttpToolBackendClient implements ToolBackendClient {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.-]+)}");
    private static final Set<String> NO_BODY = Set.of("GET", "DELETE");

    private final EgressGuard guard;
    private final BackendSecrets secrets;
    private final JsonMapper json;
    private final Clock clock;
    private final HttpClient http;
    private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Cache<String, Schema> compiled =
            Caffeine.newBuilder().maximumSize(1_000).build();

    public HttpToolBackendClient(EgressGuard guard, BackendSecrets secrets, JsonMapper json, Clock clock) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.json = Objects.requireNonNull(json, "json");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = EgressGuard.newClient(Duration.ofSeconds(5));
    }

    @Override
    public BackendKind kind() {
        return BackendKind.HTTP;
    }

    @Override
    public BackendAnswer call(
            ToolView tool, Map<String, @Nullable Object> arguments, Duration deadline, @Nullable String traceId)
            throws BackendFailure {
        if (!(tool.target() instanceof ToolBackend.Http target)) {
            throw new IllegalArgumentException("tool " + tool.key() + " is not an HTTP tool");
        }
        validate(tool, arguments, json);
        Map<String, @Nullable Object> body = new LinkedHashMap<>(arguments);
        URI uri = expand(target.urlTemplate(), body);
        String upstream = guard.check(uri);
        Duration timeout = deadline.compareTo(target.timeout()) < 0 ? deadline : target.timeout();
        if (timeout.isNegative() || timeout.isZero()) {
            throw new BackendFailure(BackendFailure.UPSTREAM_TIMEOUT, "no time left for the call");
        }
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        if (traceId != null) {
            request.header("Warden-Trace-Id", traceId);
        }
        if (target.bearerSecret() != null) {
            Optional<String> secret;
            try {
                secret = secrets.get(target.bearerSecret());
            } catch (RuntimeException e) {
                throw new BackendFailure(
                        BackendFailure.UPSTREAM_UNAVAILABLE,
                        "the bearer secret of tool " + tool.key() + " could not be read",
                        e);
            }
            String token = secret.orElseThrow(() -> new BackendFailure(
                    BackendFailure.UPSTREAM_UNAVAILABLE, "the bearer secret of tool " + tool.key() + " is not set"));
            request.header("Authorization", "Bearer " + token);
        }
        if (NO_BODY.contains(target.method())) {
            request.method(target.method(), HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(target.method(), HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        }
        Instant start = clock.instant();
        HttpResponse<byte[]> response = send(request.build(), target.maxResponseBytes(), timeout);
        long micros = ChronoUnit.MICROS.between(start, clock.instant());
        return answer(response, upstream, micros);
    }

    private HttpResponse<byte[]> send(HttpRequest request, long cap, Duration timeout) throws BackendFailure {
        CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(request, CappedBody.handler(cap));
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            future.cancel(true); // aborts the exchange: the backend sees the connection close
            Thread.currentThread().interrupt();
            throw new BackendFailure(BackendFailure.CANCELLED, "the call was cancelled");
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_TIMEOUT, "the backend did not answer within " + timeout, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CappedBody.TooLarge tooLarge) {
                throw new BackendFailure(
                        BackendFailure.RESPONSE_TOO_LARGE, String.valueOf(tooLarge.getMessage()), tooLarge);
            }
            if (cause instanceof HttpTimeoutException) {
                throw new BackendFailure(
                        BackendFailure.UPSTREAM_TIMEOUT, "the backend did not answer within " + timeout, cause);
            }
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_UNAVAILABLE, "the backend could not be reached", cause == null ? e : cause);
        }
    }

    private BackendAnswer answer(HttpResponse<byte[]> response, String upstream, long micros) throws BackendFailure {
        int status = response.statusCode();
        if (status >= 300 && status < 400) {
            throw new BackendFailure(
                    BackendFailure.EGRESS_REFUSED, "the backend answered " + status + "; redirects are not followed");
        }
        byte[] bytes = response.body();
        String text = new String(bytes, StandardCharsets.UTF_8);
        @Nullable JsonNode parsed = null;
        if (bytes.length > 0) {
            try {
                parsed = json.readTree(bytes);
            } catch (JacksonException e) {
                parsed = null; // not JSON: the text alone is the answer
            }
        }
        boolean error = status >= 400;
        Map<String, Object> structured = null;
        if (parsed != null && parsed.isObject() && !error) {
            structured = json.convertValue(parsed, JsonMaps.MAP);
        } else if (parsed != null) {
            structured = new LinkedHashMap<>();
            structured.put("value", json.convertValue(parsed, Object.class));
        }
        if (error) {
            Map<String, Object> failure = new LinkedHashMap<>();
            failure.put("status", status);
            if (structured != null) {
                failure.put("body", structured.get("value"));
            }
            structured = failure;
        }
        String shown = error ? "HTTP " + status + (text.isEmpty() ? "" : ": " + text) : text;
        List<Map<String, Object>> content = new ArrayList<>();
        content.add(Map.of("type", "text", "text", shown));
        return new BackendAnswer(content, structured, error, bytes.length, upstream, micros);
    }

    /** Checks the arguments against the tool's input schema (no schema: any object). */
    void validate(ToolView tool, Map<String, @Nullable Object> arguments, JsonMapper mapper) throws BackendFailure {
        if (tool.inputSchema().isBlank()) {
            return;
        }
        Schema schema;
        try {
            schema = compiled.get(
                    tool.key() + "@" + tool.version() + "#" + tool.inputSchema().hashCode(),
                    k -> compile(tool.inputSchema()));
        } catch (IllegalArgumentException e) {
            throw new BackendFailure(
                    BackendFailure.UPSTREAM_UNAVAILABLE,
                    "the input schema of tool " + tool.key() + " is unusable: " + e.getMessage());
        }
        List<Error> errors = schema.validate(mapper.valueToTree(arguments));
        if (!errors.isEmpty()) {
            StringBuilder message = new StringBuilder("the arguments do not match the tool's input schema:");
            for (Error error : errors.subList(0, Math.min(errors.size(), 10))) {
                message.append(' ')
                        .append(error.getInstanceLocation())
                        .append(": ")
                        .append(error.getMessage())
                        .append(';');
            }
            throw new BackendFailure(BackendFailure.INVALID_ARGUMENTS, message.toString(), true);
        }
    }

    private Schema compile(String text) {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
        for (JsonNode ref : node.findValues("$ref")) {
            // a remote reference would have the validator fetch a URL past the egress guard
            if (!ref.isString() || !ref.asString().startsWith("#")) {
                throw new IllegalArgumentException("only local $ref (\"#...\") is allowed");
            }
        }
        return schemas.getSchema(text);
    }

    /** Fills the template's placeholders from (and removes them out of) {@code arguments}. */
    static URI expand(String template, Map<String, @Nullable Object> arguments) throws BackendFailure {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder url = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            Object value = arguments.remove(name);
            if (value == null || value instanceof Map || value instanceof List) {
                throw new BackendFailure(
                        BackendFailure.INVALID_ARGUMENTS,
                        "argument " + name + " must be a string, number or boolean",
                        true);
            }
            m.appendReplacement(url, Matcher.quoteReplacement(encode(String.valueOf(value))));
        }
        m.appendTail(url);
        try {
            return new URI(url.toString());
        } catch (URISyntaxException e) {
            throw new BackendFailure(BackendFailure.UPSTREAM_UNAVAILABLE, "the tool's URL is not a valid URL", e);
        }
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters, so an argument cannot add a path or query. */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("*", "%2A")
                .replace("%7E", "~");
    }
}
