package io.warden.clinical.internal;

import io.warden.clinical.Classification;
import io.warden.clinical.Retrieval;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchHit;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The retrieval service on a remote retrieval node (a GPU machine running the same jar), over the internal
 * HTTP API. Every call has a deadline; a node's refusal comes back as the same {@link RetrievalRejected}
 * code the node raised; a node that cannot be reached or answers late fails the call (the gateway then
 * denies). Thread-safe.
 */
public final class HttpRetrieval implements Retrieval {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;

    public HttpRetrieval(URI base, String token, Duration timeout) {
        this.base = base;
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public List<SearchHit> searchByVector(String collection, float[] vector, int k, Map<String, String> filter) {
        return hits(post(
                "/internal/retrieval/v1/search",
                new RetrievalWire.Query(collection, vector, null, null, k, filter, null, null)));
    }

    @Override
    public List<SearchHit> searchByText(String collection, String text, int k, Map<String, String> filter) {
        return hits(post(
                "/internal/retrieval/v1/search",
                new RetrievalWire.Query(collection, null, text, null, k, filter, null, null)));
    }

    @Override
    public List<SearchHit> searchByImage(String collection, byte[] image, int k, Map<String, String> filter) {
        return hits(post(
                "/internal/retrieval/v1/search",
                new RetrievalWire.Query(
                        collection, null, null, Base64.getEncoder().encodeToString(image), k, filter, null, null)));
    }

    @Override
    public Classification classifyText(
            String collection, String text, int k, String labelKey, boolean weighted, Map<String, String> filter) {
        JsonNode body = post(
                "/internal/retrieval/v1/classify",
                new RetrievalWire.Query(collection, null, text, null, k, filter, labelKey, weighted));
        return JSON.treeToValue(body, Classification.class);
    }

    @Override
    public Status status() {
        return JSON.treeToValue(
                send(HttpRequest.newBuilder(base.resolve("/internal/retrieval/v1/status"))
                        .GET()),
                Status.class);
    }

    private static List<SearchHit> hits(JsonNode body) {
        return JSON.treeToValue(body, RetrievalWire.Hits.class).hits();
    }

    private JsonNode post(String path, Object body) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(
                    request.timeout(timeout)
                            .header("Authorization", "Bearer " + token)
                            .header("Accept", "application/json")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new IllegalStateException("The retrieval node " + base + " did not answer within " + timeout, e);
        } catch (IOException e) {
            throw new IllegalStateException("The retrieval node " + base + " cannot be reached: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while calling the retrieval node", e);
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() >= 400
                && response.statusCode() < 500
                && body != null
                && body.has("code")
                && response.statusCode() != 401
                && response.statusCode() != 403) {
            throw new RetrievalRejected(
                    body.get("code").asString(), body.path("detail").asString("refused by the retrieval node"));
        }
        if (response.statusCode() != 200 || body == null) {
            throw new IllegalStateException("The retrieval node " + base + " answered " + response.statusCode());
        }
        return body;
    }

    private static @Nullable JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
