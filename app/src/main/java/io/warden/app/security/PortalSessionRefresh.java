package io.warden.app.security;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.Role;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Keeps an open portal session true to the directory: at most every {@code warden.security.portal-role-refresh}
 * (a minute at most) the person's roles and account state are read again, so a role removed stops working in
 * the open session within that time, and a person disabled, deleted or without an account is signed out (the
 * session ends; the next page sends them to sign in, which refuses them). With the embedded provider the roles
 * and state come from the local accounts; with Entra ID the account state comes from the directory (Graph),
 * while app-role changes take effect at the next sign-in, since Entra issues them only in tokens. Each change is
 * audited. A directory that cannot be read signs the person out: the check fails closed.
 */
final class PortalSessionRefresh extends OncePerRequestFilter {

    static final String CHECKED_AT = PortalSessionRefresh.class.getName() + ".checkedAt";

    private static final Logger log = LoggerFactory.getLogger(PortalSessionRefresh.class);

    /** Where the person stands now; roles null when the directory does not say (Entra). */
    private record Standing(boolean active, @Nullable Set<Role> roles) {}

    private final @Nullable UserDetailsService localAccounts;
    private final Directory directory;
    private final AuditLog audit;
    private final Duration interval;
    private final Clock clock;
    private final SecurityContextRepository sessions = new HttpSessionSecurityContextRepository();

    PortalSessionRefresh(
            @Nullable UserDetailsService localAccounts,
            Directory directory,
            AuditLog audit,
            Duration interval,
            Clock clock) {
        this.localAccounts = localAccounts;
        this.directory = directory;
        this.audit = audit;
        this.interval = interval;
        this.clock = clock;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication signedIn = SecurityContextHolder.getContext().getAuthentication();
        HttpSession session = request.getSession(false);
        if (session != null
                && (signedIn instanceof OAuth2AuthenticationToken
                        || signedIn instanceof UsernamePasswordAuthenticationToken)
                && signedIn.isAuthenticated()) {
            Instant now = clock.instant();
            Object checked = session.getAttribute(CHECKED_AT);
            if (!(checked instanceof Instant at) || !now.isBefore(at.plus(interval))) {
                refresh(signedIn, session, request, response, now);
            }
        }
        chain.doFilter(request, response);
    }

    private void refresh(
            Authentication signedIn,
            HttpSession session,
            HttpServletRequest request,
            HttpServletResponse response,
            Instant now) {
        String person = personId(signedIn);
        Standing standing;
        try {
            standing = standing(signedIn);
        } catch (RuntimeException e) {
            log.warn("Signing {} out of the portal: their account could not be read ({})", person, e.toString());
            signOut(session, person, "DIRECTORY_UNAVAILABLE");
            return;
        }
        if (!standing.active()) {
            signOut(session, person, "ACCOUNT_INACTIVE");
            return;
        }
        session.setAttribute(CHECKED_AT, now);
        if (standing.roles() == null) {
            return;
        }
        Set<Role> held = roles(signedIn);
        if (held.equals(standing.roles())) {
            return;
        }
        List<GrantedAuthority> authorities = new ArrayList<>();
        signedIn.getAuthorities().stream().filter(a -> !isRole(a)).forEach(authorities::add);
        standing.roles().forEach(role -> authorities.add(new SimpleGrantedAuthority("ROLE_" + role.name())));
        Authentication updated = signedIn instanceof OAuth2AuthenticationToken oauth
                ? new OAuth2AuthenticationToken(
                        oauth.getPrincipal(), authorities, oauth.getAuthorizedClientRegistrationId())
                : UsernamePasswordAuthenticationToken.authenticated(
                        Objects.requireNonNull(signedIn.getPrincipal(), "a signed-in session has a principal"),
                        null,
                        authorities);
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(updated);
        SecurityContextHolder.setContext(context);
        sessions.saveContext(context, request, response);
        audit.append(AuditEvent.builder(
                        "portal.session_roles_changed", AuditActor.system("portal"), new AuditTarget("person", person))
                .owner(person)
                .outcome(Outcome.SUCCESS)
                .detail("before", names(held))
                .detail("after", names(standing.roles()))
                .build());
        log.info("Portal session of {}: roles {} are now {}", person, names(held), names(standing.roles()));
    }

    private Standing standing(Authentication signedIn) {
        if (localAccounts != null) {
            try {
                UserDetails account = localAccounts.loadUserByUsername(signedIn.getName());
                Set<Role> roles = account.getAuthorities().stream()
                        .map(GrantedAuthority::getAuthority)
                        .filter(a -> a.startsWith("ROLE_"))
                        .map(a -> role(a.substring(5)))
                        .flatMap(Optional::stream)
                        .collect(Collectors.toCollection(TreeSet::new));
                return new Standing(account.isEnabled() && account.isAccountNonLocked(), roles);
            } catch (UsernameNotFoundException e) {
                return new Standing(false, null);
            }
        }
        String id = personId(signedIn);
        return new Standing(directory.findUser(id).map(DirectoryUser::active).orElse(false), null);
    }

    private void signOut(HttpSession session, String person, String reason) {
        try {
            session.invalidate();
        } catch (IllegalStateException alreadyInvalid) {
            // another request of the same session ended it first
        }
        SecurityContextHolder.clearContext();
        audit.append(AuditEvent.builder(
                        "portal.session_ended", AuditActor.system("portal"), new AuditTarget("person", person))
                .owner(person)
                .decision("DENY")
                .reason(reason)
                .outcome(Outcome.MINOR_FAILURE)
                .build());
        log.info("Signed {} out of the portal: {}", person, reason);
    }

    /** The directory id ({@code oid}) where the token carries one, else the sign-in name. */
    private static String personId(Authentication signedIn) {
        if (signedIn.getPrincipal() instanceof OidcUser user && user.getClaimAsString("oid") != null) {
            return user.getClaimAsString("oid");
        }
        return signedIn.getName();
    }

    private static Set<Role> roles(Authentication signedIn) {
        return signedIn.getAuthorities().stream()
                .filter(PortalSessionRefresh::isRole)
                .map(a -> role(Objects.requireNonNull(a.getAuthority(), "isRole checked it")
                        .substring(5)))
                .flatMap(Optional::stream)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static boolean isRole(GrantedAuthority authority) {
        return authority.getAuthority() != null
                && authority.getAuthority().startsWith("ROLE_")
                && role(authority.getAuthority().substring(5)).isPresent();
    }

    private static Optional<Role> role(String name) {
        try {
            return Optional.of(Role.valueOf(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String names(Set<Role> roles) {
        return roles.isEmpty() ? "(none)" : roles.stream().map(Role::name).collect(Collectors.joining(","));
    }
}
