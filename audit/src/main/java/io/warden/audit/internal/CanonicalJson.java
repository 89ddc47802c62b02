package io.warden.audit.internal;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * JSON in the canonical form of RFC 8785 (JSON Canonicalization Scheme) for the values Warden's audit
 * records hold: objects (members sorted by their names' UTF-16 code units), arrays, strings, integers
 * within ±2^53, booleans and null. Strings are escaped as ECMAScript's {@code JSON.stringify} does;
 * lone surrogates are refused (RFC 8785 §3.2.2.2). Stateless and thread-safe.
 */
final class CanonicalJson {

    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CanonicalJson() {}

    public static String write(@Nullable Object value) {
        StringBuilder out = new StringBuilder(256);
        write(value, out);
        return out.toString();
    }

    static void write(@Nullable Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String text -> string(text, out);
            case Boolean bool -> out.append(bool ? "true" : "false");
            case Long number -> integer(number, out);
            case Integer number -> integer(number, out);
            case Short number -> integer(number, out);
            case Map<?, ?> map -> object(map, out);
            case Collection<?> list -> array(list, out);
            default ->
                throw new IllegalArgumentException(
                        "not a canonical JSON value: " + value.getClass().getName());
        }
    }

    private static void integer(long number, StringBuilder out) {
        if (number > MAX_SAFE_INTEGER || number < -MAX_SAFE_INTEGER) {
            throw new IllegalArgumentException("integer outside the I-JSON range: " + number);
        }
        out.append(number);
    }

    private static void object(Map<?, ?> map, StringBuilder out) {
        // String.compareTo compares UTF-16 code units, which is the order RFC 8785 §3.2.3 prescribes.
        TreeMap<String, Object> sorted = new TreeMap<>();
        for (var entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new IllegalArgumentException("object member names must be strings");
            }
            sorted.put(key, entry.getValue());
        }
        out.append('{');
        boolean first = true;
        for (var entry : sorted.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(entry.getKey(), out);
            out.append(':');
            write(entry.getValue(), out);
        }
        out.append('}');
    }

    private static void array(Collection<?> list, StringBuilder out) {
        out.append('[');
        boolean first = true;
        for (Object item : list) {
            if (!first) {
                out.append(',');
            }
            first = false;
            write(item, out);
        }
        out.append(']');
    }

    static void string(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                            throw new IllegalArgumentException("lone surrogate in string at index " + i);
                        }
                        out.append(c).append(text.charAt(++i));
                    } else if (Character.isLowSurrogate(c)) {
                        throw new IllegalArgumentException("lone surrogate in string at index " + i);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
