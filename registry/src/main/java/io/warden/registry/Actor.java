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
        if (type == ActorType.AGENT && !roles.isEmpty()) {
            throw new IllegalArgumentException("agents hold no person roles, got " + roles);
        }
    }

    public static Actor person(String id, Set<Role> roles) {
        return new Actor(id, ActorType.PERSON, roles);
    }

    public static Actor agent(String clientId) {
        return new Actor(clientId, ActorType.AGENT, Set.of());
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }
}
