package io.warden.app.security;

import io.warden.registry.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Turns a validated access token into an authentication whose name is the caller's stable id and whose
 * authorities say what it is: {@code ROLE_PERSON} plus one {@code ROLE_<role>} per Warden role for people,
 * {@code ROLE_AGENT} for machine clients. A token that names neither kind of caller is refused.
 */
public final class TokenAuthenticationConverter implements Converter<Jwt, AbstractAuthenticationToken> {

    public static final String PERSON = "ROLE_PERSON";
    public static final String AGENT = "ROLE_AGENT";

    private final Map<String, Role> rolesByClaimValue;

    public TokenAuthenticationConverter(IdentityProperties properties) {
        this.rolesByClaimValue =
                Arrays.stream(Role.values()).collect(Collectors.toMap(properties::claimValue, Function.identity()));
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
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
