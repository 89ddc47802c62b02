package io.warden.app.security;

import io.warden.policy.OnBehalfOf;
import io.warden.registry.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Turns a validated access token into an authentication whose name is the caller's stable id and whose
 * authorities say what it is: {@code ROLE_PERSON} plus one {@code ROLE_<role>} per Warden role for people,
 * {@code ROLE_AGENT} for machine clients. A token that names neither kind of caller is refused.
 *
 * <p>A delegated token (an agent acting for a person) authenticates as the agent, named by its client id so that
 * everything keyed by client id holds, as a {@link Delegated} that carries the person ({@link OnBehalfOf}); it never
 * authenticates as the person, so an agent holding one cannot use the person's roles. Two shapes are delegated: the
 * embedded provider's token exchange ({@code act.sub} the agent, {@code sub}/{@code oid} the person) and Entra's
 * on-behalf-of token (delegated: {@code scp}, and {@code azp}/{@code appid} a registered agent's client id, {@code oid}
 * the person). Only one level of delegation is accepted: an {@code act} that itself holds an {@code act} (an agent
 * acting for an agent acting for a person) is refused, as is an {@code act} whose actor is not the token's
 * {@code azp}.
 */
public final class TokenAuthenticationConverter implements Converter<Jwt, AbstractAuthenticationToken> {

    public static final String PERSON = "ROLE_PERSON";
    public static final String AGENT = "ROLE_AGENT";

    private final Map<String, Role> rolesByClaimValue;
    private final Predicate<String> agentClients;

    /**
     * @param agentClients whether a client id belongs to a registered agent (whatever its status: the gateway refuses
     *                     agents that are not active); it may throw when the registry cannot be read, and the token is
     *                     then refused as unverifiable
     */
    public TokenAuthenticationConverter(IdentityProperties properties, Predicate<String> agentClients) {
        this.rolesByClaimValue =
                Arrays.stream(Role.values()).collect(Collectors.toMap(properties::claimValue, Function.identity()));
        this.agentClients = agentClients;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        if (jwt.hasClaim("act")) {
            return exchanged(jwt);
        }
        if (isAppOnly(jwt)) {
            String clientId = firstClaim(jwt, "azp", "appid");
            if (clientId == null) {
                throw new BadJwtException("An app-only token must carry azp (v2) or appid (v1)");
            }
            return new JwtAuthenticationToken(jwt, List.of(new SimpleGrantedAuthority(AGENT)), clientId);
        }
        String oid = jwt.getClaimAsString("oid");
        if (oid == null || oid.isBlank()) {
            throw new BadJwtException("A person's token must carry oid");
        }
        String authorizedParty = firstClaim(jwt, "azp", "appid");
        if (authorizedParty != null && isAgent(authorizedParty)) {
            return new Delegated(jwt, authorizedParty, new OnBehalfOf(oid, OnBehalfOf.ENTRA_OBO));
        }
        List<GrantedAuthority> authorities = new ArrayList<>();
        authorities.add(new SimpleGrantedAuthority(PERSON));
        for (String value : claimValues(jwt.getClaim("roles"))) {
            Role role = rolesByClaimValue.get(value);
            if (role != null) {
                authorities.add(new SimpleGrantedAuthority("ROLE_" + role.name()));
            }
        }
        return new JwtAuthenticationToken(jwt, authorities, oid);
    }

    private Delegated exchanged(Jwt jwt) {
        if (!(jwt.getClaim("act") instanceof Map<?, ?> actor)
                || !(actor.get("sub") instanceof String agent)
                || agent.isBlank()) {
            throw new BadJwtException("A delegated token's act must name the actor in act.sub");
        }
        if (actor.containsKey("act")) {
            throw new BadJwtException("Only one level of delegation is accepted: act must not hold act");
        }
        String authorizedParty = firstClaim(jwt, "azp", "appid");
        if (authorizedParty != null && !authorizedParty.equals(agent)) {
            throw new BadJwtException("A delegated token's actor must be its authorized party (azp)");
        }
        String person = firstClaim(jwt, "oid", "sub");
        if (person == null) {
            throw new BadJwtException("A delegated token must name the person (oid or sub)");
        }
        try {
            return new Delegated(jwt, agent, new OnBehalfOf(person, OnBehalfOf.TOKEN_EXCHANGE));
        } catch (IllegalArgumentException e) {
            throw new BadJwtException(e.getMessage(), e);
        }
    }

    private boolean isAgent(String clientId) {
        try {
            return agentClients.test(clientId);
        } catch (RuntimeException e) {
            // not the caller's fault, and not a guess either: the token is refused until the registry answers
            throw new JwtException("The agent registry could not be read to classify the token", e);
        }
    }

    /** The person a caller serves, when its token is delegated; null for a call of its own. */
    public static @Nullable OnBehalfOf onBehalfOf(@Nullable Object caller) {
        return caller instanceof Delegated delegated ? delegated.onBehalfOf() : null;
    }

    /** An agent's authentication from a delegated token: named by the agent's client id, carrying the person. */
    public static final class Delegated extends JwtAuthenticationToken {

        private static final long serialVersionUID = 1L;

        private final OnBehalfOf onBehalfOf;

        Delegated(Jwt jwt, String agentClientId, OnBehalfOf onBehalfOf) {
            super(jwt, List.of(new SimpleGrantedAuthority(AGENT)), agentClientId);
            this.onBehalfOf = onBehalfOf;
        }

        public OnBehalfOf onBehalfOf() {
            return onBehalfOf;
        }

        @Override
        public boolean equals(@Nullable Object other) {
            return other instanceof Delegated delegated
                    && super.equals(other)
                    && onBehalfOf.equals(delegated.onBehalfOf);
        }

        @Override
        public int hashCode() {
            return 31 * super.hashCode() + onBehalfOf.hashCode();
        }
    }

    /**
     * App-only tokens are those issued to a client on its own behalf: Entra marks them {@code idtyp=app}
     * when asked to, and they never carry the delegated-scope claim {@code scp}.
     */
    static boolean isAppOnly(Jwt jwt) {
        return "app".equals(jwt.getClaimAsString("idtyp")) || !jwt.hasClaim("scp");
    }

    private static @Nullable String firstClaim(Jwt jwt, String... names) {
        for (String name : names) {
            String value = jwt.getClaimAsString(name);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    private static Collection<String> claimValues(@Nullable Object claim) {
        if (claim instanceof Collection<?> values) {
            return values.stream().map(String::valueOf).toList();
        }
        if (claim instanceof String text) {
            return List.of(text.split(" "));
        }
        return List.of();
    }
}
