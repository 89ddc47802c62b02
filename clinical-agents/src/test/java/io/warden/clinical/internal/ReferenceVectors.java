package io.warden.clinical.internal;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Recomputes {@code src/test/resources/minilm-reference.json} with an independent implementation of the
 * same model (langchain4j's, with Hugging Face's Rust tokenizer through DJL), so that Warden's tokenizer
 * and pooling are checked against it. Run from the repository root:
 *
 * <pre>./mvnw -q -pl clinical-agents test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.warden.clinical.internal.ReferenceVectors</pre>
 */
public final class ReferenceVectors {

    static final List<String> SENTENCES = List.of(
            "CT chest axial with contrast",
            "MRI brain T2 FLAIR, no acute findings.",
            "Café-au-lait macules on the left forearm; naïve patient (pädiatrie).",
            "Wound: 3x4 cm sacral pressure ulcer, stage III, signs of infection?");

    public static void main(String[] args) throws Exception {
        var model = new AllMiniLmL6V2EmbeddingModel();
        String json = SENTENCES.stream()
                .map(sentence -> {
                    float[] vector = model.embed(sentence).content().vector();
                    String values = IntStream.range(0, vector.length)
                            .mapToObj(i -> String.format(Locale.ROOT, "%.7f", vector[i]))
                            .collect(Collectors.joining(","));
                    return "  {\"text\": \"" + sentence.replace("\"", "\\\"") + "\",\n   \"vector\": [" + values + "]}";
                })
                .collect(Collectors.joining(",\n", "[\n", "\n]\n"));
        Path out = Path.of("clinical-agents/src/test/resources/minilm-reference.json");
        Files.writeString(
                Files.exists(out.getParent()) ? out : Path.of("src/test/resources/minilm-reference.json"), json);
        System.out.println("wrote " + SENTENCES.size() + " reference vectors of " + model.dimension() + " dimensions");
    }
}
