package io.warden.bench;

import io.warden.clinical.internal.OnnxTextEmbedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text embedder alone on the sentences {@link CollectionsBench} builds collections from ({@link Sentences}), so a
 * text build's speed can be compared with the embedder's on the same input. For each batch size in {@code args}
 * (default 256 and 32, the default intra-op threads), two timed passes over 2,048 sentences after a warm-up; prints
 * sentences per second per pass.
 */
public final class EmbedSentencesBench {

    private EmbedSentencesBench() {}

    public static void main(String[] args) throws Exception {
        List<String> texts = new ArrayList<>();
        for (Sentences.Labelled sentence : Sentences.generate(2048, 42)) {
            texts.add(sentence.text());
        }
        List<Integer> batches = new ArrayList<>();
        for (String arg : args.length == 0 ? new String[] {"256", "32"} : args) {
            batches.add(Integer.parseInt(arg));
        }
        for (int batch : batches) {
            try (OnnxTextEmbedder embedder = OnnxTextEmbedder.miniLm(
                    new OnnxTextEmbedder.Settings("all-MiniLM-L6-v2", batch, 10_000, 0, false))) {
                embedder.embed(texts.subList(0, 256));
                for (int pass = 1; pass <= 2; pass++) {
                    long start = System.nanoTime();
                    embedder.embed(texts);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf(
                            Locale.ROOT, "batch %d pass %d: %.1f sentences/s%n", batch, pass, texts.size() / seconds);
                }
            }
        }
    }
}
