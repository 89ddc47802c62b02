package io.warden.clinical.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The line-per-item files the sources read: line {@code n} (from 0) is position {@code n}, blank lines included, so
 * that positions stay stable however a file is edited by hand. Package-private: each source says what a line holds.
 */
final class NdjsonLines {

    /** Longest id an item may have; longer ones are refused rather than stored in indexes and audit records. */
    static final int MAX_ID = 256;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private NdjsonLines() {}

    /** Receives one line and its position; answers false to stop. */
    @FunctionalInterface
    interface LineSink {
        boolean line(long position, String line) throws IOException;
    }

    static void read(Path file, long from, LineSink sink) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long position = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine(), position++) {
                if (position < from) {
                    continue;
                }
                if (!sink.line(position, line)) {
                    return;
                }
            }
        }
    }

    static long count(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long lines = 0;
            while (reader.readLine() != null) {
                lines++;
            }
            return lines;
        }
    }

    /** The line as a JSON object, or null when it is not one. */
    static @Nullable JsonNode object(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node != null && node.isObject() ? node : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    /** The item's id, or null when it has none that can be used. */
    static @Nullable String id(JsonNode node) {
        JsonNode id = node.get("id");
        if (id == null || !(id.isString() || id.isIntegralNumber())) {
            return null;
        }
        String text = id.asString();
        return text.isBlank() || text.length() > MAX_ID ? null : text;
    }

    /** The item's metadata as strings: a JSON object's values, numbers and booleans written as text. */
    static @Nullable Map<String, String> metadata(JsonNode node) {
        JsonNode metadata = node.get("metadata");
        if (metadata == null || metadata.isNull()) {
            return Map.of();
        }
        if (!metadata.isObject()) {
            return null;
        }
        Map<String, String> values = new HashMap<>();
        for (var entry : metadata.properties()) {
            JsonNode value = entry.getValue();
            if (!value.isValueNode() || value.isNull()) {
                return null;
            }
            values.put(entry.getKey(), value.asString());
        }
        return values;
    }

    static String reference(long position) {
        return "line " + (position + 1);
    }
}
