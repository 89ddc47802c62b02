package io.warden.registry;

import java.util.Objects;
import java.util.Set;

/**
 * The authenticated caller of a registry use case, resolved once at the web edge from the access token.
 *
 * @param id    a person's directory object id ({@code oid}) or an agent's OAuth2 client id ({@code azp})
 * @param type  person or agent
 * @param roles the person's Warden roles; always empty for agents
 */
public record Actor(String id, ActorType type, Set<Role> roles) {

    public Actor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        if (id.isBlank()) {
            throw new IllegalArgumentException("an actor needs a non-blank id");
        }
        roles = Set.copyOf(roles);
        if (type != ActorType.PERSON && !roles.isEmpty()) {
            throw new IllegalArgumentException(type + " actors hold no person roles, got " + roles);
        }
        if (type == ActorType.SYSTEM && !id.startsWith("system:")) {
            throw new IllegalArgumentException("a system actor's id starts with system:, got " + id);
        }
    }

    public static Actor person(String id, Set<Role> roles) {
        return new Actor(id, ActorType.PERSON, roles);
    }

    public static Actor agent(String clientId) {
        return new Actor(clientId, ActorType.AGENT, Set.of());
    }

    /** Warden's own component, e.g. {@code system("lifecycle-workflows")} → id {@code system:lifecycle-workflows}. */
    public static Actor system(String component) {
        return new Actor("system:" + component, ActorType.SYSTEM, Set.of());
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }
}
