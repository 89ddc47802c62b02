package io.warden.audit.internal;

import java.math.BigDecimal;
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
public final class CanonicalJson {

    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CanonicalJson() {}

    public static String write(@Nullable Object value) {
        StringBuilder out = new StringBuilder(256);
        write(value, out);
        return out.toString();
    }

    /**
     * Any JSON value as parsed from a document (a tool call's arguments): as {@link #write}, and also fractional
     * and large numbers, serialized as ECMAScript's {@code Number.prototype.toString} does (RFC 8785 §3.2.2.3).
     * Audit records themselves hold no such numbers, so {@link #write} keeps refusing them.
     */
    public static String writeAny(@Nullable Object value) {
        StringBuilder out = new StringBuilder(256);
        write(value, out, true);
        return out.toString();
    }

    static void write(@Nullable Object value, StringBuilder out) {
        write(value, out, false);
    }

    private static void write(@Nullable Object value, StringBuilder out, boolean anyNumber) {
        if (anyNumber && value instanceof Number number && !(value instanceof Integer || value instanceof Short)) {
            if (value instanceof Long whole && Math.abs(whole) <= MAX_SAFE_INTEGER) {
                out.append(whole);
            } else {
                number(number.doubleValue(), out);
            }
            return;
        }
        if (anyNumber && value instanceof Map<?, ?> map) {
            object(map, out, true);
            return;
        }
        if (anyNumber && value instanceof Collection<?> list) {
            array(list, out, true);
            return;
        }
        switch (value) {
            case null -> out.append("null");
            case String text -> string(text, out);
            case Boolean bool -> out.append(bool ? "true" : "false");
            case Long number -> integer(number, out);
            case Integer number -> integer(number, out);
            case Short number -> integer(number, out);
            case Map<?, ?> map -> object(map, out, false);
            case Collection<?> list -> array(list, out, false);
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

    /** ECMAScript's Number.prototype.toString of a finite double (the shortest digits that round-trip). */
    private static void number(double value, StringBuilder out) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("not a JSON number: " + value);
        }
        if (value == 0) {
            out.append('0');
            return;
        }
        if (value < 0) {
            out.append('-');
            value = -value;
        }
        BigDecimal exact = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int k = digits.length();
        int n = k - exact.scale(); // value = 0.digits × 10^n
        if (k <= n && n <= 21) {
            out.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            out.append('e').append(n - 1 >= 0 ? "+" : "-").append(Math.abs(n - 1));
        }
    }

    private static void object(Map<?, ?> map, StringBuilder out, boolean anyNumber) {
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
            write(entry.getValue(), out, anyNumber);
        }
        out.append('}');
    }

    private static void array(Collection<?> list, StringBuilder out, boolean anyNumber) {
        out.append('[');
        boolean first = true;
        for (Object item : list) {
            if (!first) {
                out.append(',');
            }
            first = false;
            write(item, out, anyNumber);
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
