package io.warden.clinical.cohort;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.warden.clinical.dicom.SeriesBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chat-completions rewriter against a local endpoint speaking the chat-completions wire format: the
 * request it sends (key header, messages, the templates as a JSON array) and what it makes of answers, good
 * and bad. Through {@link SeriesDescriptions}, a rewrite that repeats a description keeps the template.
 */
class ChatCompletionsRewriterTests {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @Nullable
    HttpServer server;

    final AtomicReference<String> answer = new AtomicReference<>();
    final AtomicReference<Integer> status = new AtomicReference<>(200);
    final AtomicReference<JsonNode> received = new AtomicReference<>();
    final AtomicReference<String> keyHeader = new AtomicReference<>();

    URI start(String header) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        this.server = server;
        server.createContext("/openai/deployments/rewrite/chat/completions", exchange -> {
            keyHeader.set(exchange.getRequestHeaders().getFirst(header));
            received.set(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            byte[] body =
                    ("{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"finish_reason\":\"stop\","
                                    + "\"message\":{\"role\":\"assistant\",\"content\":"
                                    + JSON.writeValueAsString(answer.get()) + "}}]}")
                            .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/openai/deployments/rewrite/chat/completions?api-version=2024-10-21");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    static CohortSeries row() {
        return new CohortSeries(
                SeriesBuilder.aSeries()
                        .modality("MR")
                        .bodyPartExamined("KNEE")
                        .seriesDescription("COR PD FS")
                        .build(),
                new AnatomyCall(Anatomy.LOWER_LIMB, AnatomyTier.BODY_PART_EXAMINED, "KNEE"),
                List.of());
    }

    @Test
    void sendsTheTemplatesAndUsesTheRewrites() throws Exception {
        URI endpoint = start("api-key");
        answer.set("[\"Coronal proton-density MRI of the knee\", \"b\", \"c\", \"d\", \"e\"]");
        var rewriter = new ChatCompletionsRewriter(
                endpoint, ChatCompletionsRewriter.Flavour.AZURE, "secret-key", null, Duration.ofSeconds(5));
        List<String> texts = new SeriesDescriptions(rewriter).describe(row());
        assertThat(texts).containsExactly("Coronal proton-density MRI of the knee", "b", "c", "d", "e");
        assertThat(keyHeader.get()).isEqualTo("secret-key");
        assertThat(received.get().get("messages").get(0).get("role").asString()).isEqualTo("system");
        JsonNode sent = JSON.readTree(
                received.get().get("messages").get(1).get("content").asString());
        assertThat(sent).hasSize(5);
        assertThat(sent.get(0).asString())
                .isEqualTo(SeriesDescriptions.templates(row()).getFirst());
    }

    @Test
    void anAnswerOfTheWrongShapeOrAnErrorKeepsTheTemplates() throws Exception {
        URI endpoint = start("Authorization");
        var rewriter = new ChatCompletionsRewriter(
                endpoint, ChatCompletionsRewriter.Flavour.OPENAI, "k", "gpt-4o-mini", Duration.ofSeconds(5));
        List<String> templates = SeriesDescriptions.templates(row());
        answer.set("[\"only one\"]");
        assertThat(new SeriesDescriptions(rewriter).describe(row())).isEqualTo(templates);
        assertThat(keyHeader.get()).isEqualTo("Bearer k");
        assertThat(received.get().get("model").asString()).isEqualTo("gpt-4o-mini");
        answer.set("I cannot help with that.");
        assertThat(new SeriesDescriptions(rewriter).describe(row())).isEqualTo(templates);
        answer.set("```json\n[\"a\", \"a\", \"c\", \"d\", \"e\"]\n```");
        assertThat(new SeriesDescriptions(rewriter).describe(row()))
                .as("a repeated rewrite keeps its template")
                .containsExactly("a", templates.get(1), "c", "d", "e");
        status.set(429);
        assertThat(new SeriesDescriptions(rewriter).describe(row())).isEqualTo(templates);
        requireNonNull(server).stop(0);
        server = null;
        assertThat(new SeriesDescriptions(rewriter).describe(row()))
                .as("endpoint gone")
                .isEqualTo(templates);
    }

    @Test
    void refusesAnEndpointThatIsNeitherHttpsNorLocal() {
        assertThatThrownBy(() -> new ChatCompletionsRewriter(
                        URI.create("http://llm.example.org/v1/chat/completions"),
                        ChatCompletionsRewriter.Flavour.OPENAI,
                        "k",
                        "m",
                        Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
