package io.warden.clinical.cohort;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link DescriptionRewriter} backed by a chat-completions endpoint: OpenAI's {@code /v1/chat/completions}
 * (bearer key) or an Azure OpenAI deployment's {@code .../chat/completions?api-version=...} ({@code api-key}
 * header). The model is asked to rephrase the templates of one series, adding nothing, and to answer with a
 * JSON array of as many strings. Rewriting is an embellishment, so any failure (the endpoint down, a refusal,
 * an answer of the wrong shape) leaves the templates as they are and is logged, never fails the build.
 * Only the templates are sent: header-derived text, no patient identifier. Point it at an endpoint the
 * hospital has approved for that text. Thread-safe.
 */
public final class ChatCompletionsRewriter implements DescriptionRewriter {

    /** How the endpoint takes its key. */
    public enum Flavour {
        OPENAI,
        AZURE
    }

    private static final Logger log = LoggerFactory.getLogger(ChatCompletionsRewriter.class);
    private static final String INSTRUCTIONS = """
            You rephrase short descriptions of one medical imaging series for a search index. For each input \
            description write one natural, clinically worded sentence that says the same thing: keep every fact \
            (modality, body region, plane, counts, measurements, scanner, quoted text) and add none. Answer with \
            a JSON array of exactly as many strings as you were given, in the same order, and nothing else.""";

    private final URI endpoint;
    private final Flavour flavour;
    private final String key;
    private final @Nullable String model;
    private final Duration timeout;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();

    /**
     * @param endpoint the full chat-completions URL
     * @param model    the model name (OpenAI); null for Azure, whose deployment is in the URL
     */
    public ChatCompletionsRewriter(
            URI endpoint, Flavour flavour, String key, @Nullable String model, Duration timeout) {
        if (!"https".equals(endpoint.getScheme())
                && !"localhost".equals(endpoint.getHost())
                && !"127.0.0.1".equals(endpoint.getHost())) {
            throw new IllegalArgumentException(
                    "the rewriter's endpoint must be https (or on this machine), got " + endpoint);
        }
        this.endpoint = endpoint;
        this.flavour = flavour;
        this.key = key;
        this.model = model;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public List<String> rewrite(CohortSeries series, List<String> descriptions) {
        try {
            Map<String, Object> body = new LinkedHashMap<>();
            if (model != null) {
                body.put("model", model);
            }
            body.put("temperature", 0.2);
            body.put(
                    "messages",
                    List.of(
                            Map.of("role", "system", "content", INSTRUCTIONS),
                            Map.of("role", "user", "content", json.writeValueAsString(descriptions))));
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            if (flavour == Flavour.AZURE) {
                request.header("api-key", key);
            } else {
                request.header("Authorization", "Bearer " + key);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                log.warn(
                        "The description rewriter answered {} for series {}; the templates stay",
                        response.statusCode(),
                        series.uid());
                return descriptions;
            }
            JsonNode content = json.readTree(response.body())
                    .path("choices")
                    .path(0)
                    .path("message")
                    .path("content");
            JsonNode texts = json.readTree(content.asString("")
                    .strip()
                    .replaceAll("^```(json)?|```$", "")
                    .strip());
            if (!texts.isArray() || texts.size() != descriptions.size()) {
                log.warn(
                        "The description rewriter gave {} texts for {} descriptions of series {}; the templates stay",
                        texts.isArray() ? texts.size() : "no",
                        descriptions.size(),
                        series.uid());
                return descriptions;
            }
            List<String> rewritten = new ArrayList<>(texts.size());
            texts.forEach(text -> rewritten.add(text.isString() ? text.asString() : ""));
            return rewritten;
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "The description rewriter failed for series {}; the templates stay: {}",
                    series.uid(),
                    e.toString());
            return descriptions;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return descriptions;
        }
    }
}
