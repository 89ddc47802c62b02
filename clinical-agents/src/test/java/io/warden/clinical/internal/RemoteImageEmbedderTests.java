package io.warden.clinical.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.warden.clinical.Embedder;
import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.IndexKind;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.VectorRecord;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The MedImageInsight-style adapter against a local fake that speaks the endpoint's JSON. */
class RemoteImageEmbedderTests {

    static final JsonMapper JSON = JsonMapper.builder().build();

    HttpServer server;
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    final List<String> keys = new CopyOnWriteArrayList<>();
    final AtomicInteger dimension = new AtomicInteger(8);
    final AtomicInteger status = new AtomicInteger(200);

    @BeforeEach
    void fake() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/score", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(request);
            keys.add(exchange.getRequestHeaders().getFirst("Authorization"));
            StringBuilder answer = new StringBuilder("[");
            for (int i = 0; i < request.path("input_data").path("data").size(); i++) {
                answer.append(i == 0 ? "" : ",").append("{\"image_features\": [[");
                int length = request.path("input_data")
                        .path("data")
                        .get(i)
                        .get(0)
                        .asString()
                        .length();
                for (int d = 0; d < dimension.get(); d++) {
                    answer.append(d == 0 ? "" : ",").append(d == i % dimension.get() ? length : 1);
                }
                answer.append("]], \"text_features\": null}");
            }
            byte[] body = answer.append("]").toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    RemoteImageEmbedder embedder(int batch) {
        return new RemoteImageEmbedder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/score"),
                "secret-key",
                "MedImageInsight",
                8,
                batch,
                Duration.ofSeconds(5));
    }

    static byte[] png(int size) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < size; x++) {
            for (int y = 0; y < size; y++) {
                image.getRaster().setSample(x, y, 0, (x * 31 + y * 17) % 256); // content, so sizes differ
            }
        }
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void sendsTheEndpointsRequestShapeInBatchesAndNormalisesTheAnswer() throws Exception {
        List<float[]> vectors = embedder(2).embedImages(List.of(png(4), png(8), png(16)));
        assertThat(vectors).hasSize(3).allSatisfy(v -> {
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertThat(norm).isCloseTo(1.0, Offset.offset(1e-5));
        });
        assertThat(requests).hasSize(2);
        JsonNode first = requests.getFirst();
        assertThat(first.path("input_data").path("columns").toString()).isEqualTo("[\"image\",\"text\"]");
        assertThat(first.path("input_data").path("index").toString()).isEqualTo("[0,1]");
        assertThat(first.path("input_data").path("data").get(0).get(1).asString())
                .isEmpty();
        assertThat(Base64.getDecoder()
                        .decode(first.path("input_data")
                                .path("data")
                                .get(0)
                                .get(0)
                                .asString()))
                .isEqualTo(png(4));
        assertThat(first.path("params").path("get_scaling_factor").asBoolean(true))
                .isFalse();
        assertThat(keys).containsOnly("Bearer secret-key");
    }

    @Test
    void theRetrievalServiceSearchesByImageThroughTheEndpoint(@TempDir Path folder) throws Exception {
        try (FileVectorCollections collections = new FileVectorCollections(folder, 16, 100)) {
            // one image per call, as the fake's features depend on the position in the request
            var vectors = List.of(
                    embedder(8).embedImages(List.of(png(4))).getFirst(),
                    embedder(8).embedImages(List.of(png(64))).getFirst());
            collections.replace(
                    "photos",
                    IndexKind.FLAT,
                    8,
                    List.of(
                            new VectorRecord("small", vectors.get(0), Map.of()),
                            new VectorRecord("large", vectors.get(1), Map.of())));
            Embedder noText = new Embedder() {
                public String modelName() {
                    return "none";
                }

                public int dimension() {
                    return 8;
                }

                public List<float[]> embed(List<String> texts) {
                    throw new UnsupportedOperationException("test embedder");
                }
            };
            var retrieval = new LocalRetrieval(noText, embedder(8), collections, "CPU");
            assertThat(retrieval
                            .searchByImage("photos", png(64), 1, Map.of())
                            .getFirst()
                            .id())
                    .isEqualTo("large");
            assertThat(retrieval.status().imageModel()).isEqualTo("MedImageInsight");
            var textOnly = new LocalRetrieval(noText, null, collections, "CPU");
            assertThatThrownBy(() -> textOnly.searchByImage("photos", png(8), 1, Map.of()))
                    .isInstanceOfSatisfying(
                            RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("no-image-model"));
        }
    }

    @Test
    void anImageThatDoesNotDecodeIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> embedder(4).embedImages(List.of(new byte[] {1, 2, 3})))
                .isInstanceOfSatisfying(EmbeddingRejected.class, e -> {
                    assertThat(e.code()).isEqualTo("image-undecodable");
                    assertThat(e.getMessage()).contains("Image 0");
                });
        assertThat(requests).isEmpty();
    }

    @Test
    void anImageDeclaringHugeDimensionsIsRefusedBeforeItIsDecodedOrSent() {
        assertThatThrownBy(() -> embedder(4).embedImages(List.of(png(4), ImageDecodingTests.png(100_000, 100_000))))
                .isInstanceOfSatisfying(EmbeddingRejected.class, e -> {
                    assertThat(e.code()).isEqualTo("image-too-large");
                    assertThat(e.getMessage()).contains("Image 1");
                });
        assertThat(requests).isEmpty();
    }

    @Test
    void aWrongDimensionOrAFailingEndpointFailsTheCall() throws Exception {
        dimension.set(5);
        assertThatThrownBy(() -> embedder(4).embedImages(List.of(png(4)))).hasMessageContaining("5 dimensions");
        dimension.set(8);
        status.set(503);
        assertThatThrownBy(() -> embedder(4).embedImages(List.of(png(4)))).hasMessageContaining("503");
    }
}
