package io.warden.audit;

import java.util.Objects;

/** What an action was done to: a type ({@code agent}, {@code approval}, {@code tool}, ...) and its id. */
public record AuditTarget(String type, String id) {

    public AuditTarget {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        if (type.isBlank() || id.isBlank()) {
            throw new IllegalArgumentException("an audit target needs a type and an id");
        }
    }
}
