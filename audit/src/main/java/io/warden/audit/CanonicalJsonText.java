package io.warden.audit;

import io.warden.audit.internal.CanonicalJson;
import org.jspecify.annotations.Nullable;

/**
 * JSON values in RFC 8785 canonical form (the form audit records are hashed in), for digests other modules put in
 * the trail, such as the gateway's digest of a tool call's arguments: the same value always gives the same text.
 */
public final class CanonicalJsonText {

    private CanonicalJsonText() {}

    /**
     * The canonical text of a parsed JSON value: maps with string keys, lists, strings, numbers, booleans, null.
     *
     * @throws IllegalArgumentException for anything else, a non-finite number or a lone surrogate
     */
    public static String of(@Nullable Object value) {
        return CanonicalJson.writeAny(value);
    }
}
