package io.warden.clinical.ingest;

import io.warden.clinical.Embedder;
import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.VectorRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Text items, one JSON object a line: {@code {"id": "r-1", "text": "...", "metadata": {"label": "..."}}}, embedded
 * with the collection's text model in batches. A line that is not such an object, or whose text the model refuses,
 * is rejected with its line number; blank lines are skipped. Not thread-safe: one build reads it.
 */
public final class TextNdjsonSource implements IngestSource {

    /** Longest text an item may have (characters); the model reads far fewer tokens than this anyway. */
    static final int MAX_TEXT = 10_000;

    private final Path file;
    private final Embedder embedder;
    private final int batchSize;

    /**
     * @param batchSize texts embedded per model call
     */
    public TextNdjsonSource(Path file, Embedder embedder, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.file = file;
        this.embedder = embedder;
        this.batchSize = batchSize;
    }

    @Override
    public String kind() {
        return "text";
    }

    @Override
    public long size() {
        try {
            return NdjsonLines.count(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** A line read: refused already, or a text waiting for its vector. */
    private record Slot(
            long position,
            IngestItem.@Nullable Rejected rejected,
            @Nullable String id,
            @Nullable String text,
            Map<String, String> metadata) {}

    @Override
    public void read(long from, Predicate<IngestItem> sink) throws IOException {
        List<Slot> slots = new ArrayList<>();
        int[] texts = {0};
        boolean[] stopped = {false};
        NdjsonLines.read(file, from, (position, line) -> {
            if (line.isBlank()) {
                return true;
            }
            Slot slot = parse(position, line);
            slots.add(slot);
            if (slot.text() != null && ++texts[0] >= batchSize) {
                stopped[0] = !flush(slots, sink);
                texts[0] = 0;
                return !stopped[0];
            }
            return true;
        });
        if (!stopped[0]) {
            flush(slots, sink);
        }
    }

    private static Slot parse(long position, String line) {
        JsonNode node = NdjsonLines.object(line);
        if (node == null) {
            return refused(position, "invalid-json", "not a JSON object");
        }
        String id = NdjsonLines.id(node);
        if (id == null) {
            return refused(position, "missing-id", "needs an \"id\" of 1 to " + NdjsonLines.MAX_ID + " characters");
        }
        JsonNode text = node.get("text");
        if (text == null || !text.isString() || text.asString().isBlank()) {
            return refused(position, "missing-text", "item " + id + " needs a non-empty \"text\"");
        }
        if (text.asString().length() > MAX_TEXT) {
            return refused(position, "text-too-long", "item " + id + " has more than " + MAX_TEXT + " characters");
        }
        Map<String, String> metadata = NdjsonLines.metadata(node);
        if (metadata == null) {
            return refused(position, "invalid-metadata", "item " + id + ": \"metadata\" is an object of plain values");
        }
        return new Slot(position, null, id, text.asString(), metadata);
    }

    /** Embeds the waiting texts and sends every slot, in order; false when the sink stopped. */
    private boolean flush(List<Slot> slots, Predicate<IngestItem> sink) {
        List<Slot> waiting = slots.stream().filter(slot -> slot.text() != null).toList();
        List<float[]> vectors;
        try {
            vectors = waiting.isEmpty()
                    ? List.of()
                    : embedder.embed(waiting.stream().map(Slot::text).toList());
        } catch (EmbeddingRejected batch) {
            vectors = null; // one text the model refuses must not sink its batch: embed one by one
        }
        int next = 0;
        try {
            for (Slot slot : slots) {
                IngestItem item;
                if (slot.rejected() != null) {
                    item = slot.rejected();
                } else {
                    item = accepted(slot, vectors == null ? null : vectors.get(next++));
                }
                if (!sink.test(item)) {
                    return false;
                }
            }
            return true;
        } finally {
            slots.clear();
        }
    }

    private IngestItem accepted(Slot slot, float @Nullable [] vector) {
        String id = Objects.requireNonNull(slot.id());
        float[] embedded = vector;
        if (embedded == null) {
            try {
                embedded = embedder.embed(List.of(Objects.requireNonNull(slot.text())))
                        .getFirst();
            } catch (EmbeddingRejected e) {
                return new IngestItem.Rejected(
                        slot.position(),
                        NdjsonLines.reference(slot.position()),
                        "embedding-refused",
                        Objects.requireNonNullElse(e.getMessage(), "the model refused the text"));
            }
        }
        return new IngestItem.Accepted(slot.position(), new VectorRecord(id, embedded, slot.metadata()));
    }

    private static Slot refused(long position, String code, String reason) {
        return new Slot(
                position,
                new IngestItem.Rejected(position, NdjsonLines.reference(position), code, reason),
                null,
                null,
                Map.of());
    }
}
