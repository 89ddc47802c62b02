package io.warden.app.security;

import io.warden.registry.Actor;
import io.warden.registry.Role;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/** Supplies controller parameters of type {@link Actor} from the authenticated access token. */
final class ActorArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return Actor.class.equals(parameter.getParameterType());
    }

    @Override
    public Actor resolveArgument(
            MethodParameter parameter,
            @Nullable ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest,
            @Nullable WebDataBinderFactory binderFactory) {
        return actorOf(SecurityContextHolder.getContext().getAuthentication());
    }

    static Actor actorOf(@Nullable Authentication authentication) {
        if (authentication instanceof OAuth2AuthenticationToken session
                && session.isAuthenticated()
                && session.getPrincipal() instanceof OidcUser person) {
            // a portal session: the person is their directory object id (oid), as in access tokens
            Object oid = person.getClaims().get("oid");
            return Actor.person(oid == null ? person.getSubject() : oid.toString(), roles(session.getAuthorities()));
        }
        if (!(authentication instanceof JwtAuthenticationToken token) || !token.isAuthenticated()) {
            throw new AuthenticationCredentialsNotFoundException("A bearer token is required");
        }
        Set<String> authorities = token.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority)
                .collect(Collectors.toSet());
        if (authorities.contains(TokenAuthenticationConverter.AGENT)) {
            return Actor.agent(token.getName());
        }
        return Actor.person(token.getName(), roles(token.getAuthorities()));
    }

    private static Set<Role> roles(Collection<? extends GrantedAuthority> granted) {
        Set<String> authorities =
                granted.stream().map(GrantedAuthority::getAuthority).collect(Collectors.toSet());
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (Role role : Role.values()) {
            if (authorities.contains("ROLE_" + role.name())) {
                roles.add(role);
            }
        }
        return roles;
    }
}
