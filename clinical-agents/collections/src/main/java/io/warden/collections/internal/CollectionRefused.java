package io.warden.collections.internal;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A collection request refused, with a stable code and, for bad input, the field at fault. */
final class CollectionRefused extends ProblemException {

    private CollectionRefused(String code, ProblemKind kind, String detail, @Nullable String field) {
        super(code, kind, detail, field, Map.of());
    }

    static CollectionRefused invalid(String field, String detail) {
        return new CollectionRefused("invalid-field", ProblemKind.INVALID, detail, field);
    }

    static CollectionRefused notFound(String what, String name) {
        return new CollectionRefused(
                what + "-not-found", ProblemKind.NOT_FOUND, "No " + what.replace('-', ' ') + " '" + name + "'", null);
    }

    static CollectionRefused conflict(String code, String detail) {
        return new CollectionRefused(code, ProblemKind.CONFLICT, detail, null);
    }

    static CollectionRefused tooLarge(String detail) {
        return new CollectionRefused("upload-too-large", ProblemKind.TOO_LARGE, detail, null);
    }
}
