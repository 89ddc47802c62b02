package io.warden.app.security;

import io.warden.audit.AuditLog;
import io.warden.registry.Directory;
import io.warden.registry.Role;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.authority.mapping.GrantedAuthoritiesMapper;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.oidc.user.OidcUserAuthority;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

/**
 * The portal's sessions: people sign in through OpenID Connect (Warden's embedded provider by default, Entra
 * ID with Spring Boot's {@code spring.security.oauth2.client} properties); their ID token's {@code roles} map
 * to Warden's roles as access tokens' do. Sessions are cookie-based, so CSRF protection is on; pages carry a
 * strict Content-Security-Policy; a person without a portal role gets the 403 page. An open session re-reads the
 * person's roles and account state at least once a minute ({@link PortalSessionRefresh}).
 */
@Configuration(proxyBeanMethods = false)
class PortalSecurity {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    @Bean
    @Order(0)
    SecurityFilterChain portalSecurityChain(
            HttpSecurity http,
            ObjectProvider<ClientRegistrationRepository> registrations,
            IdentityProperties identity,
            ObjectProvider<UserDetailsService> localAccounts,
            Directory directory,
            AuditLog audit,
            HardeningProperties hardening,
            Clock clock,
            @Value("${warden.portal.login-registration:warden}") String registration)
            throws Exception {
        http.securityMatcher(
                        "/portal/**",
                        "/oauth2/authorization/**",
                        "/login/oauth2/**",
                        "/webjars/**",
                        "/portal-assets/**")
                .authorizeHttpRequests(rules -> rules.requestMatchers(
                                "/webjars/**", "/portal-assets/**", "/oauth2/authorization/**", "/login/oauth2/**")
                        .permitAll()
                        .requestMatchers("/portal/kill-switches", "/portal/kill-switches/**")
                        .hasAnyRole("ADMIN", "SECOPS")
                        .requestMatchers("/portal/audit", "/portal/audit/**")
                        .hasAnyRole("ADMIN", "COMPLIANCE")
                        // as /api/v1/mcp-servers: where agents' calls go out to is for admins alone
                        .requestMatchers("/portal/catalog/mcp-servers/**")
                        .hasRole("ADMIN")
                        .requestMatchers("/portal/data-sources", "/portal/data-sources/**")
                        .hasRole("ADMIN")
                        // the people picker serves the owner reassign form: for those who may reassign, as its POST
                        .requestMatchers("/portal/people", "/portal/people/**")
                        .hasRole("ADMIN")
                        .requestMatchers("/portal/agents/new")
                        .hasAnyRole("ADMIN", "OWNER")
                        .requestMatchers(HttpMethod.POST, "/portal/agents")
                        .hasAnyRole("ADMIN", "OWNER")
                        // the agent page's actions: their API endpoints' role rules (SecurityConfiguration); the
                        // services add the data-dependent ones (an owner acts only on their own agents)
                        .requestMatchers(HttpMethod.POST, "/portal/agents/*/suspend")
                        .hasAnyRole("ADMIN", "SECOPS")
                        .requestMatchers(HttpMethod.POST, "/portal/agents/*/reinstate", "/portal/agents/*/owner")
                        .hasRole("ADMIN")
                        .requestMatchers(
                                HttpMethod.POST,
                                "/portal/agents/*/retire",
                                "/portal/agents/*/change-requests",
                                "/portal/agents/*/attestation",
                                "/portal/agents/*/keep")
                        .hasAnyRole("ADMIN", "OWNER")
                        .requestMatchers(
                                HttpMethod.POST,
                                "/portal/agents/*/incident",
                                "/portal/agents/*/incident/resolution",
                                "/portal/agents/*/kill-switch")
                        .hasAnyRole("ADMIN", "SECOPS")
                        .requestMatchers(HttpMethod.POST, "/portal/agents/*/rate-limits/**")
                        .hasRole("ADMIN")
                        // fail closed: an agent action added without a rule here is refused to everyone
                        .requestMatchers(HttpMethod.POST, "/portal/agents/**")
                        .denyAll()
                        .requestMatchers(HttpMethod.POST, "/portal/approvals/**")
                        .hasAnyRole("ADMIN", "COMPLIANCE")
                        // a parked call's arguments: the page itself also refuses who may not decide it
                        .requestMatchers("/portal/approvals/calls", "/portal/approvals/calls/**")
                        .hasAnyRole("ADMIN", "COMPLIANCE")
                        .requestMatchers(HttpMethod.POST, "/portal/rules/**")
                        .hasRole("ADMIN")
                        .requestMatchers(HttpMethod.POST, "/portal/cohorts")
                        .hasAnyRole("ADMIN", "OWNER")
                        .requestMatchers(HttpMethod.POST, "/portal/entitlements", "/portal/entitlements/**")
                        .hasRole("ADMIN")
                        .requestMatchers("/portal/entitlements")
                        .hasAnyRole("ADMIN", "COMPLIANCE", "SECOPS")
                        // as /api/v1/break-glass-reviews: compliance and security operations record findings (the
                        // use case says when security operations may), oversight reads them
                        .requestMatchers(HttpMethod.POST, "/portal/break-glass/**")
                        .hasAnyRole("COMPLIANCE", "SECOPS")
                        .requestMatchers("/portal/break-glass")
                        .hasAnyRole("ADMIN", "COMPLIANCE", "SECOPS")
                        // as /api/v1/collections: admins change collections, oversight reads them, owners neither
                        .requestMatchers(HttpMethod.POST, "/portal/collections", "/portal/collections/**")
                        .hasRole("ADMIN")
                        .requestMatchers("/portal/collections", "/portal/collections/**")
                        .hasAnyRole("ADMIN", "COMPLIANCE", "SECOPS")
                        // as /api/v1/policy/simulations: admins and compliance replay changes; security
                        // operations read the rules and their versions
                        .requestMatchers(HttpMethod.POST, "/portal/policy/**")
                        .hasAnyRole("ADMIN", "COMPLIANCE")
                        .requestMatchers("/portal/policy", "/portal/policy/**")
                        .hasAnyRole("ADMIN", "COMPLIANCE", "SECOPS")
                        .requestMatchers("/portal/**")
                        .hasAnyRole("ADMIN", "OWNER", "COMPLIANCE", "SECOPS")
                        .anyRequest()
                        .denyAll())
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(CSP)))
                .sessionManagement(session -> session.sessionFixation().changeSessionId())
                .exceptionHandling(errors -> errors.accessDeniedPage("/portal/forbidden"))
                // the session's roles follow the directory within a minute, not only at the next sign-in
                .addFilterBefore(
                        new PortalSessionRefresh(
                                localAccounts.getIfAvailable(), directory, audit, hardening.portalRoleRefresh(), clock),
                        AuthorizationFilter.class);
        if (registrations.getIfAvailable()
                != null) { // with Entra: spring.security.oauth2.client.registration.<id>, and that id here
            http.oauth2Login(login -> login.loginPage("/oauth2/authorization/" + registration)
                    .defaultSuccessUrl("/portal", false)
                    .userInfoEndpoint(userInfo -> userInfo.userAuthoritiesMapper(roles(identity))));
        }
        http.logout(logout -> logout.logoutUrl("/portal/logout").logoutSuccessUrl("/portal"));
        return http.build();
    }

    /** The ID token's {@code roles} as Warden roles ({@code ROLE_ADMIN}, ...), through the configured claim values. */
    static GrantedAuthoritiesMapper roles(IdentityProperties identity) {
        return (Collection<? extends GrantedAuthority> granted) -> {
            Set<GrantedAuthority> mapped = new HashSet<>(granted);
            for (GrantedAuthority authority : granted) {
                if (authority instanceof OidcUserAuthority oidc
                        && oidc.getIdToken().getClaim("roles") instanceof List<?> values) {
                    for (Role role : Role.values()) {
                        if (values.contains(identity.claimValue(role))) {
                            mapped.add(new SimpleGrantedAuthority("ROLE_" + role.name()));
                        }
                    }
                }
            }
            return mapped;
        };
    }
}
