package io.warden.audit;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who acted: a person, an agent (with its accountable owner) or Warden itself.
 *
 * @param id      a person's directory id, an agent's client id, or a system component's name
 * @param type    the kind of actor
 * @param ownerId for agents, the owner accountable for them
 */
public record AuditActor(String id, Type type, @Nullable String ownerId) {

    /** The kinds of actor. */
    public enum Type {
        PERSON,
        AGENT,
        SYSTEM
    }

    public AuditActor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        if (id.isBlank()) {
            throw new IllegalArgumentException("an audit actor needs an id");
        }
    }

    public static AuditActor person(String id) {
        return new AuditActor(id, Type.PERSON, null);
    }

    public static AuditActor agent(String clientId, @Nullable String ownerId) {
        return new AuditActor(clientId, Type.AGENT, ownerId);
    }

    public static AuditActor system(String component) {
        return new AuditActor(component, Type.SYSTEM, null);
    }
}
