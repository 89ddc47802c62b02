package io.warden.collections.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A labelled query set: NDJSON, one query a line, {@code {"id": "q1", "text": "...", "<labelField>": "..."}} (TEXT
 * collections only) or {@code {"id": "q1", "vector": [...], "<labelField>": "..."}} with the collection's dimension.
 * The label may also sit in {@code "metadata"}, as in an items file, so that held-out items can be uploaded as they
 * are. Unlike a build's input, a query set is all or nothing: one bad line makes the whole set unusable, with its line
 * number, since an evaluation measured on the lines that happened to parse would not be the set the auditor sees.
 */
final class QuerySetLines {

    /** The most queries one set holds: each is searched exactly against the whole version. */
    static final int MAX_QUERIES = 10_000;

    static final int MAX_ID = 256;
    static final int MAX_TEXT = 10_000;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One query: its text (to embed) or its vector (as given, not yet normalised), and its true label. */
    record Query(String id, @Nullable String text, float @Nullable [] vector, String label, int line) {}

    private QuerySetLines() {}

    /**
     * The queries of the set, in file order.
     *
     * @throws LabelLines.Unusable saying which line breaks which rule
     */
    static List<Query> parse(byte[] bytes, String labelField, int dimension, boolean textAllowed)
            throws LabelLines.Unusable {
        String content;
        try {
            content = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new LabelLines.Unusable("The query set is not UTF-8 text");
        }
        List<Query> queries = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        String[] lines = content.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty()) {
                continue;
            }
            String at = "Query set line " + (n + 1);
            if (queries.size() == MAX_QUERIES) {
                throw new LabelLines.Unusable(at + ": a query set holds at most " + MAX_QUERIES + " queries");
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JacksonException e) {
                throw new LabelLines.Unusable(at + " is not JSON");
            }
            if (!node.isObject()) {
                throw new LabelLines.Unusable(at + " is not a JSON object");
            }
            JsonNode id = node.path("id");
            if (!id.isString() || id.asString().isBlank() || id.asString().length() > MAX_ID) {
                throw new LabelLines.Unusable(at + " needs \"id\", a string of 1 to " + MAX_ID + " characters");
            }
            if (!ids.add(id.asString())) {
                throw new LabelLines.Unusable(at + " names " + id.asString() + " a second time");
            }
            String label = label(node, labelField);
            if (label == null) {
                throw new LabelLines.Unusable(
                        at + " needs \"" + labelField + "\", the true label (a non-empty string)");
            }
            JsonNode text = node.get("text");
            JsonNode vector = node.get("vector");
            if ((text == null) == (vector == null)) {
                throw new LabelLines.Unusable(at + " needs either \"text\" or \"vector\", not both nor neither");
            }
            if (text != null) {
                if (!textAllowed) {
                    throw new LabelLines.Unusable(at + " has a \"text\"; only TEXT collections embed text queries");
                }
                if (!text.isString()
                        || text.asString().isBlank()
                        || text.asString().length() > MAX_TEXT) {
                    throw new LabelLines.Unusable(at + ": \"text\" is a string of 1 to " + MAX_TEXT + " characters");
                }
                queries.add(new Query(id.asString(), text.asString(), null, label, n + 1));
                continue;
            }
            queries.add(new Query(id.asString(), null, vector(vector, dimension, at), label, n + 1));
        }
        if (queries.isEmpty()) {
            throw new LabelLines.Unusable("The query set holds no query");
        }
        return queries;
    }

    private static @Nullable String label(JsonNode node, String labelField) {
        JsonNode label = node.get(labelField);
        if (label == null && node.path("metadata").isObject()) {
            label = node.path("metadata").get(labelField);
        }
        if (label == null || !label.isString() || label.asString().isBlank()) {
            return null;
        }
        return label.asString();
    }

    private static float[] vector(JsonNode vector, int dimension, String at) throws LabelLines.Unusable {
        if (!vector.isArray()) {
            throw new LabelLines.Unusable(at + ": \"vector\" is an array of numbers");
        }
        if (vector.size() != dimension) {
            throw new LabelLines.Unusable(
                    at + ": the vector has " + vector.size() + " dimensions; the collection has " + dimension);
        }
        float[] values = new float[dimension];
        double norm = 0;
        for (int d = 0; d < dimension; d++) {
            JsonNode value = vector.get(d);
            if (!value.isNumber() || !Double.isFinite(value.asDouble()) || !Float.isFinite((float) value.asDouble())) {
                throw new LabelLines.Unusable(at + ": vector[" + d + "] is not a finite number");
            }
            values[d] = (float) value.asDouble();
            norm += (double) values[d] * values[d];
        }
        if (norm == 0 || !Double.isFinite(norm)) {
            throw new LabelLines.Unusable(at + ": a zero vector has no direction");
        }
        return values;
    }
}
