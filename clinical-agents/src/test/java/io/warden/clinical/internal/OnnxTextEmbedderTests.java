package io.warden.clinical.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.ModelUnavailable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The real all-MiniLM-L6-v2 on ONNX Runtime, against an independent implementation's vectors. */
class OnnxTextEmbedderTests {

    static OnnxTextEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = OnnxTextEmbedder.miniLm(new OnnxTextEmbedder.Settings("all-MiniLM-L6-v2", 2, 100, 2, false));
    }

    @AfterAll
    static void close() throws Exception {
        embedder.close();
    }

    @Test
    void matchesTheCommittedReferenceVectorsWithin1e4() throws Exception {
        JsonNode references = JsonMapper.builder()
                .build()
                .readTree(getClass().getClassLoader().getResourceAsStream("minilm-reference.json"));
        List<String> texts = new ArrayList<>();
        references.forEach(reference -> texts.add(reference.get("text").asString()));
        List<float[]> vectors = embedder.embed(texts);
        assertThat(embedder.dimension()).isEqualTo(384);
        for (int i = 0; i < texts.size(); i++) {
            JsonNode expected = references.get(i).get("vector");
            assertThat(vectors.get(i)).hasSize(expected.size());
            for (int d = 0; d < expected.size(); d++) {
                assertThat((double) vectors.get(i)[d])
                        .as("%s, dimension %d", texts.get(i), d)
                        .isCloseTo(expected.get(d).asDouble(), Offset.offset(1e-4));
            }
        }
    }

    @Test
    void chestCtRanksChestDescriptionsAboveBrainMri() {
        List<float[]> vectors = embedder.embed(List.of(
                "CT chest axial",
                "Axial CT of the thorax showing both lungs",
                "Chest computed tomography, lung window",
                "MRI brain T1 sagittal",
                "Brain magnetic resonance imaging of the head"));
        double chest1 = dot(vectors.get(0), vectors.get(1));
        double chest2 = dot(vectors.get(0), vectors.get(2));
        double brain1 = dot(vectors.get(0), vectors.get(3));
        double brain2 = dot(vectors.get(0), vectors.get(4));
        assertThat(Math.min(chest1, chest2)).isGreaterThan(Math.max(brain1, brain2));
    }

    @Test
    void theQuantisedModelStaysCloseToTheFullOne() throws Exception {
        try (OnnxTextEmbedder quantized =
                OnnxTextEmbedder.miniLmQuantized(new OnnxTextEmbedder.Settings("q", 8, 100, 2, false))) {
            List<String> texts = List.of("CT chest axial with contrast", "MRI brain T2 FLAIR");
            List<float[]> full = embedder.embed(texts);
            List<float[]> q = quantized.embed(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(dot(full.get(i), q.get(i))).isGreaterThan(0.95);
            }
        }
    }

    @Test
    void vectorsAreUnitLengthAndDoNotDependOnTheBatch() {
        // batches of 2 are formed by length, so these are embedded in another order and must come back in this one
        List<String> texts = List.of(
                "a much longer sentence about a sacral pressure ulcer with signs of infection",
                "short",
                "moderate pleural effusion on the left",
                "CT",
                "an even longer sentence: the venous leg ulcer of the left calf is larger than at the last visit");
        List<float[]> batched = embedder.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = embedder.embed(List.of(texts.get(i))).getFirst();
            assertThat(dot(batched.get(i), batched.get(i))).isCloseTo(1.0, Offset.offset(1e-5));
            assertThat(dot(batched.get(i), alone)).isCloseTo(1.0, Offset.offset(1e-5));
        }
    }

    @Test
    void emptyTextsAndOversizedRequestsAreRefusedByName() {
        assertThatThrownBy(() -> embedder.embed(List.of("fine", " ")))
                .isInstanceOfSatisfying(EmbeddingRejected.class, e -> {
                    assertThat(e.code()).isEqualTo("empty-text");
                    assertThat(e.getMessage()).contains("Text 1");
                });
        assertThatThrownBy(() -> embedder.embed(Collections.nCopies(101, "x")))
                .isInstanceOfSatisfying(
                        EmbeddingRejected.class, e -> assertThat(e.code()).isEqualTo("batch-too-large"));
    }

    @Test
    void clsPoolingAndOutputNamesAreConfiguration() throws Exception {
        var cls = new OnnxTextEmbedder.Settings(
                "minilm-cls", 4, 100, 2, false, "last_hidden_state", OnnxTextEmbedder.Pooling.CLS);
        try (OnnxTextEmbedder first = OnnxTextEmbedder.miniLm(cls)) {
            float[] vector = first.embed(List.of("CT chest axial")).getFirst();
            float[] mean = embedder.embed(List.of("CT chest axial")).getFirst();
            assertThat(dot(vector, vector)).isCloseTo(1.0, Offset.offset(1e-5));
            assertThat(dot(vector, mean)).isLessThan(0.999); // a different pooling, a different vector
        }
        var missing =
                new OnnxTextEmbedder.Settings("x", 4, 100, 2, false, "text_embeds", OnnxTextEmbedder.Pooling.NONE);
        assertThatThrownBy(() -> OnnxTextEmbedder.miniLm(missing))
                .isInstanceOf(ModelUnavailable.class)
                .hasMessageContaining("no output 'text_embeds'");
        var wrongShape = new OnnxTextEmbedder.Settings(
                "x", 4, 100, 2, false, "last_hidden_state", OnnxTextEmbedder.Pooling.NONE);
        assertThatThrownBy(() -> OnnxTextEmbedder.miniLm(wrongShape))
                .isInstanceOf(ModelUnavailable.class)
                .hasMessageContaining("[batch, dimension]");
    }

    @Test
    void aMissingOrCorruptModelStopsWithTheFileNamed() {
        assertThatThrownBy(() -> OnnxTextEmbedder.fromClasspath(
                        "no-such-model.onnx", OnnxTextEmbedder.MINILM_TOKENIZER, OnnxTextEmbedder.Settings.defaults()))
                .isInstanceOf(ModelUnavailable.class)
                .hasMessageContaining("no-such-model.onnx");
        assertThatThrownBy(() -> OnnxTextEmbedder.create(
                        "not a model".getBytes(),
                        WordPieceTokenizer.fromTokenizerJson(
                                getClass().getClassLoader().getResourceAsStream(OnnxTextEmbedder.MINILM_TOKENIZER),
                                "minilm"),
                        OnnxTextEmbedder.Settings.defaults(),
                        "corrupt.onnx"))
                .isInstanceOf(ModelUnavailable.class)
                .hasMessageContaining("corrupt.onnx");
    }

    static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }
}
