package io.warden.registry;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.UUID;

/** The stable identifier of a registered agent. */
public record AgentId(@JsonValue UUID value) {

    public AgentId {
        Objects.requireNonNull(value, "value");
    }

    @JsonCreator
    public static AgentId of(String text) {
        return new AgentId(UUID.fromString(text));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
