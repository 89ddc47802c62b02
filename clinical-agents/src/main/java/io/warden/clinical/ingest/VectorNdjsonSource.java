package io.warden.clinical.ingest;

import io.warden.clinical.VectorRecord;
import io.warden.clinical.Vectors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Precomputed vectors, one JSON object a line: {@code {"id": "w-1", "vector": [0.1, ...], "metadata": {...}}}. Each
 * vector must have the collection's dimension and finite values; it is L2-normalised on the way in, since the indexes
 * rank by inner product. A line that breaks a rule is rejected with its line number; blank lines are skipped.
 */
public final class VectorNdjsonSource implements IngestSource {

    private final Path file;
    private final int dimension;

    public VectorNdjsonSource(Path file, int dimension) {
        if (dimension < 1 || dimension > 8192) {
            throw new IllegalArgumentException("dimension is between 1 and 8192, got " + dimension);
        }
        this.file = file;
        this.dimension = dimension;
    }

    @Override
    public String kind() {
        return "vectors-ndjson";
    }

    @Override
    public long size() {
        try {
            return NdjsonLines.count(file);
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void read(long from, Predicate<IngestItem> sink) throws IOException {
        NdjsonLines.read(file, from, (position, line) -> line.isBlank() || sink.test(item(position, line)));
    }

    private IngestItem item(long position, String line) {
        JsonNode node = NdjsonLines.object(line);
        if (node == null) {
            return rejected(position, "invalid-json", "not a JSON object");
        }
        String id = NdjsonLines.id(node);
        if (id == null) {
            return rejected(position, "missing-id", "needs an \"id\" of 1 to " + NdjsonLines.MAX_ID + " characters");
        }
        JsonNode vector = node.get("vector");
        if (vector == null || !vector.isArray()) {
            return rejected(position, "missing-vector", "item " + id + " needs a \"vector\" array");
        }
        if (vector.size() != dimension) {
            return rejected(
                    position,
                    "wrong-dimension",
                    "item " + id + " has " + vector.size() + " dimensions; the collection has " + dimension);
        }
        float[] values = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            JsonNode value = vector.get(d);
            if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
                return rejected(
                        position, "invalid-vector", "item " + id + ": vector[" + d + "] is not a finite number");
            }
            values[d] = (float) value.asDouble();
        }
        Map<String, String> metadata = NdjsonLines.metadata(node);
        if (metadata == null) {
            return rejected(position, "invalid-metadata", "item " + id + ": \"metadata\" is an object of plain values");
        }
        return normalised(position, id, values, metadata);
    }

    /** The record with its vector scaled to unit length; a zero vector has no direction and is rejected. */
    static IngestItem normalised(long position, String id, float[] values, Map<String, String> metadata) {
        double norm = 0;
        for (float value : values) {
            norm += (double) value * value;
        }
        if (norm == 0 || !Double.isFinite(norm)) {
            return new IngestItem.Rejected(
                    position, "item " + id, "invalid-vector", "item " + id + " has a zero or overflowing vector");
        }
        return new IngestItem.Accepted(position, new VectorRecord(id, Vectors.normalized(values), metadata));
    }

    private static IngestItem.Rejected rejected(long position, String code, String reason) {
        return new IngestItem.Rejected(position, NdjsonLines.reference(position), code, reason);
    }
}
