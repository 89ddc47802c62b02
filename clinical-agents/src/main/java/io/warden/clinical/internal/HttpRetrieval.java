package io.warden.clinical.internal;

import io.warden.clinical.Classification;
import io.warden.clinical.Neighbours;
import io.warden.clinical.Retrieval;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchQuery;
import io.warden.clinical.Vote;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Base64;
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
    public Neighbours search(String collection, SearchQuery query, int k, Map<String, String> filter) {
        RetrievalWire.Hits hits = JSON.treeToValue(
                post("/internal/retrieval/v1/search", wire(collection, query, k, filter, null, null)),
                RetrievalWire.Hits.class);
        return new Neighbours(collection, hits.version() == null ? -1 : hits.version(), hits.hits());
    }

    @Override
    public Vote classify(
            String collection,
            SearchQuery query,
            int k,
            String labelKey,
            boolean weighted,
            Map<String, String> filter) {
        RetrievalWire.Voted voted = JSON.treeToValue(
                post("/internal/retrieval/v1/classify", wire(collection, query, k, filter, labelKey, weighted)),
                RetrievalWire.Voted.class);
        Classification classification = voted.classification();
        return new Vote(new Neighbours(collection, voted.version(), classification.neighbours()), classification);
    }

    private static RetrievalWire.Query wire(
            String collection,
            SearchQuery query,
            int k,
            Map<String, String> filter,
            @Nullable String labelKey,
            @Nullable Boolean weighted) {
        return switch (query) {
            case SearchQuery.Vector vector ->
                new RetrievalWire.Query(collection, vector.vector(), null, null, k, filter, labelKey, weighted, null);
            case SearchQuery.Text text ->
                new RetrievalWire.Query(collection, null, text.text(), null, k, filter, labelKey, weighted, null);
            case SearchQuery.Image image ->
                new RetrievalWire.Query(
                        collection,
                        null,
                        null,
                        Base64.getEncoder().encodeToString(image.image()),
                        k,
                        filter,
                        labelKey,
                        weighted,
                        image.model());
        };
    }

    @Override
    public Status status() {
        return JSON.treeToValue(
                send(HttpRequest.newBuilder(base.resolve("/internal/retrieval/v1/status"))
                        .GET()),
                Status.class);
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
