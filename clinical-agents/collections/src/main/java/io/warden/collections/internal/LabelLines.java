package io.warden.collections.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The labels that go with image inputs: NDJSON, one object per line, {@code {"<key>": "...", "metadata": {...}}},
 * where {@code key} names the input ({@code file} for a ZIP entry; {@code uid}, a SOP or Series Instance UID, for
 * DICOM) and the metadata values are strings, numbers or booleans. A line that breaks these rules makes the whole file
 * unusable, with its line number: labels are either all read or the build does not start.
 */
final class LabelLines {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A labels file that cannot be used, saying where. */
    static final class Unusable extends Exception {
        Unusable(String message) {
            super(message, null, false, false);
        }
    }

    private LabelLines() {}

    static Map<String, Map<String, String>> parse(byte[] bytes, String key, String what) throws Unusable {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Unusable(what + " is not UTF-8 text");
        }
        Map<String, Map<String, String>> labels = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty()) {
                continue;
            }
            String at = what + " line " + (n + 1);
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JacksonException e) {
                throw new Unusable(at + " is not JSON");
            }
            if (!node.isObject()
                    || !node.path(key).isString()
                    || node.path(key).asString().isBlank()) {
                throw new Unusable(at + " needs \"" + key + "\", a string");
            }
            JsonNode metadata = node.path("metadata");
            if (!metadata.isObject()) {
                throw new Unusable(at + " needs \"metadata\", an object");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (var entry : metadata.properties()) {
                JsonNode value = entry.getValue();
                if (!value.isString() && !value.isNumber() && !value.isBoolean()) {
                    throw new Unusable(at + ": metadata \"" + entry.getKey() + "\" is not a string, number or boolean");
                }
                fields.put(entry.getKey(), value.asString());
            }
            if (labels.put(node.path(key).asString(), Map.copyOf(fields)) != null) {
                throw new Unusable(at + " names " + node.path(key).asString() + " a second time");
            }
        }
        return labels;
    }
}
