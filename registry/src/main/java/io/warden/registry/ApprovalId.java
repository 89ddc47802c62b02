package io.warden.registry;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.UUID;

/** The stable identifier of an approval request. */
public record ApprovalId(@JsonValue UUID value) {

    public ApprovalId {
        Objects.requireNonNull(value, "value");
    }

    @JsonCreator
    public static ApprovalId of(String text) {
        return new ApprovalId(UUID.fromString(text));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
