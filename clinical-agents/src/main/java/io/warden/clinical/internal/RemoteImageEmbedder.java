package io.warden.clinical.internal;

import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.Vectors;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Image embeddings from a remote MedImageInsight-style scoring endpoint (an Azure ML online endpoint):
 * requests are {@code {"input_data": {"columns": ["image", "text"], "index": [..], "data": [[<base64>, ""], ..]},
 * "params": {"get_scaling_factor": false}}} with a bearer key; the answer is one object per image with
 * {@code image_features}. Images are checked to decode before they leave; the answer is checked for count
 * and dimension and L2-normalised. Thread-safe.
 */
final class RemoteImageEmbedder implements ImageEmbedder {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI endpoint;
    private final String key;
    private final String modelName;
    private final int dimension;
    private final int batchSize;
    private final Duration timeout;
    private final HttpClient http;

    public RemoteImageEmbedder(
            URI endpoint, String key, String modelName, int dimension, int batchSize, Duration timeout) {
        this.endpoint = endpoint;
        this.key = key;
        this.modelName = modelName;
        this.dimension = dimension;
        this.batchSize = batchSize;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public String modelName() {
        return modelName;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public List<float[]> embedImages(List<byte[]> images) {
        EmbeddingRejected.requireBatchAtMost(images.size(), ImageEmbedder.MAX_IMAGES, "images");
        for (int i = 0; i < images.size(); i++) {
            ImageDecoding.decode(images.get(i), i); // refused here, not by the endpoint: undecodable or too large
        }
        List<float[]> vectors = new ArrayList<>(images.size());
        for (int start = 0; start < images.size(); start += batchSize) {
            vectors.addAll(call(images.subList(start, Math.min(images.size(), start + batchSize))));
        }
        return vectors;
    }

    private List<float[]> call(List<byte[]> images) {
        List<List<String>> data = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            data.add(List.of(Base64.getEncoder().encodeToString(images.get(i)), ""));
            index.add(i);
        }
        String body = JSON.writeValueAsString(Map.of(
                "input_data", Map.of("columns", List.of("image", "text"), "index", index, "data", data),
                "params", Map.of("get_scaling_factor", false)));
        HttpResponse<String> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(endpoint)
                            .timeout(timeout)
                            .header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "The image model endpoint " + endpoint + " cannot be reached: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while calling the image model endpoint", e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("The image model endpoint answered " + response.statusCode());
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (RuntimeException e) {
            throw new IllegalStateException("The image model endpoint did not answer JSON", e);
        }
        if (!answer.isArray() || answer.size() != images.size()) {
            throw new IllegalStateException("The image model endpoint returned "
                    + (answer.isArray() ? answer.size() : "no") + " results for " + images.size() + " images");
        }
        List<float[]> vectors = new ArrayList<>(images.size());
        for (JsonNode result : answer) {
            JsonNode features = result.path("image_features");
            JsonNode row =
                    features.isArray() && features.size() > 0 && features.get(0).isArray() ? features.get(0) : features;
            if (!row.isArray() || row.size() != dimension) {
                throw new IllegalStateException("The image model endpoint returned features of " + row.size()
                        + " dimensions; " + modelName + " has " + dimension);
            }
            float[] vector = new float[dimension];
            for (int d = 0; d < dimension; d++) {
                vector[d] = (float) row.get(d).asDouble();
            }
            Vectors.requireFinite(vector, "the endpoint's features");
            vectors.add(Vectors.normalized(vector));
        }
        return vectors;
    }
}
