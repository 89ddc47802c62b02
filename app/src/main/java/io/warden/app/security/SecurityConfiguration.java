package io.warden.app.security;

import static org.springframework.http.HttpMethod.DELETE;
import static org.springframework.http.HttpMethod.GET;
import static org.springframework.http.HttpMethod.POST;
import static org.springframework.http.HttpMethod.PUT;

import io.micrometer.tracing.Tracer;
import io.warden.audit.AuditLog;
import io.warden.policy.KillSwitches;
import io.warden.registry.AgentQueries;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.header.HeaderWriterFilter;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The data plane's lean chain for {@code /gateway/**} and the MCP server at {@code /mcp} (agents only, see
 * {@link AgentBearerAuthentication}), the resource-server chain for {@code /api/**} and the protected resource
 * metadata with one role rule per endpoint
 * (anything not listed is denied), the chain of the operations endpoints (health, metrics and the API
 * documentation), and the chain for everything else (the sign-in page, throttled by {@link SignInThrottle}). The embedded OpenID provider adds its own chain in front of both.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
class SecurityConfiguration implements WebMvcConfigurer {

    private static final String[] PEOPLE = {"ADMIN", "OWNER", "COMPLIANCE", "SECOPS"};

    /** Where the resource server's metadata (RFC 9728) is served; {@code /mcp}'s is under {@code /mcp} below it. */
    static final String PROTECTED_RESOURCE = "/.well-known/oauth-protected-resource";

    /** The paths agents call with their bearer token: the data plane (gateway and MCP server), on its own lean chain. */
    static final String[] DATA_PLANE = {"/gateway/**", "/mcp", "/access/v1/**"};
    /** AuthZEN metadata: public, as the specification has it (it names endpoints, never a decision). */
    static final String AUTHZEN_METADATA = "/.well-known/authzen-configuration";

    /**
     * The data plane's chain: the strict firewall (applied by the filter chain proxy before any chain), the security
     * headers, and {@link AgentBearerAuthentication} as the single authentication and role step. Nothing else: no
     * session, CSRF, request cache, anonymous caller, logout, servlet API wrapping or exception translation.
     */
    @Bean
    @Order(2)
    SecurityFilterChain dataPlaneSecurity(
            HttpSecurity http,
            JwtDecoder decoder,
            IdentityProperties identity,
            JsonMapper json,
            KillSwitches killSwitches,
            AuditLog audit,
            AgentQueries registry,
            ObjectProvider<Tracer> tracer)
            throws Exception {
        AgentBearerAuthentication agents = new AgentBearerAuthentication(
                decoder,
                converter(identity, registry),
                new ProblemSecurityHandlers(json),
                tracer.getIfAvailable(() -> Tracer.NOOP));
        http.securityMatcher(DATA_PLANE)
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(session -> session.disable())
                .securityContext(context -> context.disable())
                .anonymous(anonymous -> anonymous.disable())
                .logout(logout -> logout.disable())
                .servletApi(servletApi -> servletApi.disable())
                .exceptionHandling(errors -> errors.disable())
                .addFilterAfter(agents, HeaderWriterFilter.class)
                // /mcp only (sessions, tool lists): an agent under a GLOBAL or AGENT switch may not even open a
                // session;
                // the gateway's pipeline refuses its calls on /gateway itself
                .addFilterAfter(new KillSwitchedAgents(killSwitches, audit, json), AgentBearerAuthentication.class);
        return http.build();
    }

    /** Callers from tokens; an {@code azp} that is a registered agent's client id makes a token delegated. */
    static TokenAuthenticationConverter converter(IdentityProperties identity, AgentQueries registry) {
        return new TokenAuthenticationConverter(
                identity, clientId -> registry.findAgentByClientId(clientId).isPresent());
    }

    /**
     * Publishing these settings leaves the filter chain proxy without the observation decorator that otherwise
     * wraps every filter of every chain (and, with the {@code spring.security} observations disabled, observes
     * nothing); requests are still observed as a whole ({@code http.server.requests}).
     */
    @Bean
    static SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * Spring's strict firewall, in front of every chain, with its header checks written without regular expressions
     * (see {@link FirewallHeaders}); it refuses exactly what the default one does.
     */
    @Bean
    static HttpFirewall httpFirewall() {
        return FirewallHeaders.strictFirewall();
    }

    @Bean
    @Order(3)
    SecurityFilterChain apiSecurity(
            HttpSecurity http,
            IdentityProperties identity,
            JsonMapper json,
            KillSwitches killSwitches,
            AuditLog audit,
            AgentQueries registry)
            throws Exception {
        ProblemSecurityHandlers problems = new ProblemSecurityHandlers(json);
        http.securityMatcher("/api/**", PROTECTED_RESOURCE, PROTECTED_RESOURCE + "/**", AUTHZEN_METADATA)
                .authorizeHttpRequests(SecurityConfiguration::endpointRules)
                .oauth2ResourceServer(server -> server.jwt(
                                jwt -> jwt.jwtAuthenticationConverter(converter(identity, registry)))
                        // RFC 9728, which MCP clients read to find where to get a token; the 401's
                        // WWW-Authenticate names it (resource_metadata)
                        .protectedResourceMetadata(metadata -> metadata.protectedResourceMetadataCustomizer(
                                resource -> resource.authorizationServers(servers -> {
                                            servers.clear();
                                            servers.add(identity.issuer().toString());
                                        })
                                        .resourceName("Warden")
                                        .bearerMethods(methods -> {
                                            methods.clear();
                                            methods.add("header");
                                        })))
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems))
                .exceptionHandling(
                        errors -> errors.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // Bearer tokens only, never cookies: there is no ambient credential for CSRF to abuse.
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                // once a call is allowed by role: an agent under a kill switch is refused here as at the gateway
                .addFilterAfter(new KillSwitchedAgents(killSwitches, audit, json), AuthorizationFilter.class);
        return http.build();
    }

    /**
     * The role rule of every endpoint. People read the inventory; owners and admins change it; only admins
     * manage the catalogue and owners; compliance and admins decide approvals; security operations and
     * admins suspend. Data-dependent rules (an owner acts only on their own agents, segregation of duties)
     * are the registry's. Only admins and compliance officers read the audit trail. Agents call the gateway,
     * on the data plane's chain.
     */
    static void endpointRules(
            AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry rules) {
        rules.requestMatchers(GET, "/api/v1/agents", "/api/v1/agents/*")
                .hasAnyRole(PEOPLE)
                .requestMatchers(POST, "/api/v1/agents")
                .hasAnyRole("ADMIN", "OWNER")
                .requestMatchers(PUT, "/api/v1/agents/*")
                .hasAnyRole("ADMIN", "OWNER")
                .requestMatchers(PUT, "/api/v1/agents/*/owner")
                .hasRole("ADMIN")
                .requestMatchers(POST, "/api/v1/agents/*/submit")
                .hasAnyRole("ADMIN", "OWNER")
                .requestMatchers(POST, "/api/v1/agents/*/suspend")
                .hasAnyRole("ADMIN", "SECOPS")
                .requestMatchers(POST, "/api/v1/agents/*/reinstate")
                .hasRole("ADMIN")
                .requestMatchers(POST, "/api/v1/agents/*/retire")
                .hasAnyRole("ADMIN", "OWNER")
                .requestMatchers(POST, "/api/v1/agents/*/change-requests")
                .hasAnyRole("ADMIN", "OWNER")
                // parked calls (before the onboarding approvals, whose /approvals/* would match /approvals/calls):
                // admins and compliance; who sees and decides which call is the desk's rule (PHI: compliance alone)
                .requestMatchers(GET, "/api/v1/approvals/calls", "/api/v1/approvals/calls/*")
                .hasAnyRole("ADMIN", "COMPLIANCE")
                .requestMatchers(POST, "/api/v1/approvals/calls/*/approve", "/api/v1/approvals/calls/*/deny")
                .hasAnyRole("ADMIN", "COMPLIANCE")
                .requestMatchers(GET, "/api/v1/approvals", "/api/v1/approvals/*")
                .hasAnyRole(PEOPLE)
                .requestMatchers(POST, "/api/v1/approvals/*/approve", "/api/v1/approvals/*/reject")
                .hasAnyRole("ADMIN", "COMPLIANCE")
                .requestMatchers(
                        GET, "/api/v1/data-scopes", "/api/v1/data-scopes/*", "/api/v1/tools", "/api/v1/tools/*")
                .hasAnyRole(PEOPLE)
                .requestMatchers(POST, "/api/v1/data-scopes", "/api/v1/tools")
                .hasRole("ADMIN")
                .requestMatchers(PUT, "/api/v1/data-scopes/*", "/api/v1/tools/*")
                .hasRole("ADMIN")
                .requestMatchers(
                        GET,
                        "/api/v1/audit/events",
                        "/api/v1/audit/events/*",
                        "/api/v1/audit/verify",
                        "/api/v1/audit/keys",
                        "/api/v1/audit/exports")
                .hasAnyRole("ADMIN", "COMPLIANCE")
                // legal holds on the trail and the retention removals (issue 23): compliance holds; a removal is asked
                // for by an admin or compliance and approved by compliance, never by the one who asked (the service
                // checks that, and the database's removal function checks it again)
                .requestMatchers(GET, "/api/v1/audit/legal-holds")
                .hasRole("COMPLIANCE")
                .requestMatchers(POST, "/api/v1/audit/legal-holds", "/api/v1/audit/legal-holds/*/release")
                .hasRole("COMPLIANCE")
                .requestMatchers(GET, "/api/v1/audit/removals")
                .hasAnyRole("ADMIN", "COMPLIANCE")
                .requestMatchers(POST, "/api/v1/audit/removals")
                .hasAnyRole("ADMIN", "COMPLIANCE")
                .requestMatchers(POST, "/api/v1/audit/removals/*/approve")
                .hasRole("COMPLIANCE")
                .requestMatchers(POST, "/api/v1/policy/simulations")
                .hasAnyRole("ADMIN", "COMPLIANCE")
                .requestMatchers(GET, "/api/v1/kill-switches", "/api/v1/kill-switches/self-tests")
                .hasAnyRole("ADMIN", "SECOPS")
                .requestMatchers(POST, "/api/v1/kill-switches/self-test")
                .hasAnyRole("ADMIN", "SECOPS")
                .requestMatchers(POST, "/api/v1/kill-switches", "/api/v1/kill-switches/*/release")
                .hasAnyRole("ADMIN", "SECOPS")
                .requestMatchers(POST, "/api/v1/agents/*/attestation", "/api/v1/agents/*/keep")
                .hasAnyRole("ADMIN", "OWNER")
                .requestMatchers(GET, "/api/v1/lifecycle-rules", "/api/v1/lifecycle-rules/*")
                .hasAnyRole(PEOPLE)
                .requestMatchers(GET, "/api/v1/directory/users", "/api/v1/directory/users/*")
                .hasAnyRole(PEOPLE)
                .requestMatchers(POST, "/api/v1/directory/users")
                .hasRole("ADMIN")
                // group entitlements: admins keep them; oversight reads them
                .requestMatchers(GET, "/api/v1/group-entitlements", "/api/v1/group-entitlements/*")
                .hasAnyRole("ADMIN", "COMPLIANCE", "SECOPS")
                .requestMatchers(POST, "/api/v1/group-entitlements")
                .hasRole("ADMIN")
                .requestMatchers(PUT, "/api/v1/group-entitlements/*")
                .hasRole("ADMIN")
                .requestMatchers(DELETE, "/api/v1/group-entitlements/*")
                .hasRole("ADMIN")
                .requestMatchers(PUT, "/api/v1/directory/users/*/account")
                .hasRole("ADMIN")
                .requestMatchers(POST, "/api/v1/lifecycle-rules/sweep")
                .hasRole("ADMIN")
                .requestMatchers(PUT, "/api/v1/lifecycle-rules/*")
                .hasRole("ADMIN")
                .requestMatchers(POST, "/api/v1/agents/*/incident", "/api/v1/agents/*/incident/resolution")
                .hasAnyRole("ADMIN", "SECOPS")
                // break-the-glass reviews: oversight reads them; compliance records findings, security operations too
                // once a review is overdue (the service checks that)
                .requestMatchers(GET, "/api/v1/break-glass-reviews")
                .hasAnyRole("ADMIN", "COMPLIANCE", "SECOPS")
                .requestMatchers(POST, "/api/v1/break-glass-reviews/*")
                .hasAnyRole("COMPLIANCE", "SECOPS")
                .requestMatchers(
                        GET,
                        "/api/v1/cohort-runs",
                        "/api/v1/cohort-runs/*",
                        "/api/v1/cohort-runs/*/points",
                        "/api/v1/cohort-runs/*/search")
                .hasAnyRole(PEOPLE)
                .requestMatchers(POST, "/api/v1/cohort-runs", "/api/v1/cohort-runs/*/republish")
                .hasAnyRole("ADMIN", "OWNER")
                // data sources: everyone signed in sees which exist (locations only for admins); admins change them
                .requestMatchers(GET, "/api/v1/data-sources", "/api/v1/data-sources/*")
                .hasAnyRole(PEOPLE)
                .requestMatchers(POST, "/api/v1/data-sources")
                .hasRole("ADMIN")
                .requestMatchers(PUT, "/api/v1/data-sources/*")
                .hasRole("ADMIN")
                .requestMatchers(DELETE, "/api/v1/data-sources/*")
                .hasRole("ADMIN")
                // tool backends: where agents' calls may go out to is for admins alone, reads included (URLs and
                // secret names map the hospital's integrations)
                .requestMatchers("/api/v1/mcp-servers", "/api/v1/mcp-servers/*")
                .hasRole("ADMIN")
                // discovery and import reach the upstream through the egress guard: admins alone, like the servers
                .requestMatchers(GET, "/api/v1/mcp-servers/*/upstream-tools")
                .hasRole("ADMIN")
                .requestMatchers(POST, "/api/v1/mcp-servers/*/imports")
                .hasRole("ADMIN")
                .requestMatchers("/api/v1/egress-hosts", "/api/v1/egress-hosts/*")
                .hasRole("ADMIN")
                .requestMatchers(POST, "/api/v1/cohorts/*/transfer")
                .hasRole("ADMIN")
                // governed collections: admins create, fill, evaluate and retire them; oversight reads them (owners see
                // what their agents may read through the agents' grants, not the collections' contents and history)
                .requestMatchers(GET, "/api/v1/collections", "/api/v1/collections/**")
                .hasAnyRole("ADMIN", "COMPLIANCE", "SECOPS")
                .requestMatchers(POST, "/api/v1/collections", "/api/v1/collections/**")
                .hasRole("ADMIN")
                .requestMatchers(DELETE, "/api/v1/collections/*/items/*", "/api/v1/collections/*/uploads/*")
                .hasRole("ADMIN")
                .requestMatchers(PUT, "/api/v1/collection-gates/*")
                .hasRole("ADMIN")
                // policy data versions: the rules decisions were made on, for those who answer for decisions
                .requestMatchers(GET, "/api/v1/policy/versions", "/api/v1/policy/versions/*")
                .hasAnyRole("ADMIN", "COMPLIANCE")
                // rate limits: admins set them; oversight reads them; an owner reads their own agent's quota (checked
                // there)
                .requestMatchers(GET, "/api/v1/rate-limits/tools/*")
                .hasAnyRole("ADMIN", "SECOPS", "COMPLIANCE")
                .requestMatchers(PUT, "/api/v1/rate-limits/tools/*", "/api/v1/rate-limits/tools/*/agents/*")
                .hasRole("ADMIN")
                .requestMatchers(DELETE, "/api/v1/rate-limits/tools/*/agents/*")
                .hasRole("ADMIN")
                .requestMatchers(GET, "/api/v1/agents/*/quota")
                .hasAnyRole(PEOPLE)
                // an agent may read its own credentials and register a certificate for itself (the registry checks
                // "own")
                .requestMatchers(GET, "/api/v1/agents/*/credentials")
                .hasAnyRole("ADMIN", "OWNER", "COMPLIANCE", "SECOPS", "AGENT")
                .requestMatchers(POST, "/api/v1/agents/*/credentials/certificates")
                .hasAnyRole("ADMIN", "OWNER", "AGENT")
                .requestMatchers(DELETE, "/api/v1/agents/*/credentials/*")
                .hasAnyRole("ADMIN", "OWNER", "SECOPS")
                .requestMatchers(GET, PROTECTED_RESOURCE, PROTECTED_RESOURCE + "/**", AUTHZEN_METADATA)
                .permitAll()
                .anyRequest()
                .denyAll();
    }

    /**
     * The retrieval node's internal API: gateways authenticate with the node's shared bearer token, which
     * the node's controller checks (in constant time); no session, no CSRF (no browser ever calls it).
     */
    @Bean
    @Order(3)
    SecurityFilterChain retrievalNodeSecurity(HttpSecurity http) throws Exception {
        http.securityMatcher("/internal/retrieval/**")
                .authorizeHttpRequests(rules -> rules.anyRequest().permitAll())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable());
        return http.build();
    }

    /**
     * Health, metrics, the other actuator endpoints and the API documentation. Open by default (a workstation);
     * with {@code warden.security.protect-operations-endpoints} (the {@code prod} profile) only health stays open,
     * for probes, and says no more than UP or DOWN to strangers; metrics need an ADMIN or SECOPS bearer token or
     * the configured scrape token, the API documentation any person's token. Bearer tokens only: no session, so
     * nothing for CSRF to abuse.
     */
    @Bean
    @Order(3)
    SecurityFilterChain operationsSecurity(
            HttpSecurity http,
            HardeningProperties hardening,
            IdentityProperties identity,
            ObjectProvider<JwtDecoder> decoder,
            ObjectProvider<AgentQueries> registry,
            JsonMapper json)
            throws Exception {
        ProblemSecurityHandlers problems = new ProblemSecurityHandlers(json);
        http.securityMatcher(
                        "/actuator",
                        "/actuator/**",
                        "/v3/api-docs",
                        "/v3/api-docs/**",
                        "/v3/api-docs.yaml",
                        "/swagger-ui.html",
                        "/swagger-ui/**")
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                .exceptionHandling(
                        errors -> errors.authenticationEntryPoint(problems).accessDeniedHandler(problems));
        if (!hardening.protectOperationsEndpoints()) {
            http.authorizeHttpRequests(rules -> rules.requestMatchers(
                            "/actuator/health", "/actuator/health/**", "/actuator/info", "/actuator/prometheus")
                    .permitAll()
                    .requestMatchers(
                            "/v3/api-docs",
                            "/v3/api-docs/**",
                            "/v3/api-docs.yaml",
                            "/swagger-ui.html",
                            "/swagger-ui/**")
                    .permitAll()
                    .anyRequest()
                    .denyAll());
            return http.build();
        }
        OperationsTokens tokens = new OperationsTokens(
                hardening.scrapeToken(), decoder.getObject(), converter(identity, registry.getObject()));
        http.authorizeHttpRequests(rules -> rules.requestMatchers("/actuator/health", "/actuator/health/**")
                        .permitAll()
                        .requestMatchers("/actuator/prometheus")
                        .hasAnyRole("ADMIN", "SECOPS", OperationsTokens.SCRAPER)
                        .requestMatchers("/actuator", "/actuator/**")
                        .hasAnyRole("ADMIN", "SECOPS")
                        .anyRequest()
                        .hasAnyRole(PEOPLE))
                .oauth2ResourceServer(server -> server.authenticationManagerResolver(request -> tokens)
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems));
        return http.build();
    }

    @Bean
    @Order(4)
    SecurityFilterChain webSecurity(
            HttpSecurity http,
            ObjectProvider<UserDetailsService> localAccounts,
            ObjectProvider<SignInThrottle> throttle,
            ObjectProvider<PasswordEncoder> passwords,
            JsonMapper json)
            throws Exception {
        MediaTypeRequestMatcher html = new MediaTypeRequestMatcher(MediaType.TEXT_HTML);
        html.setIgnoredMediaTypes(Set.of(MediaType.ALL));
        // Browsers are sent to sign in; programs get a 401 problem.
        http.exceptionHandling(errors -> errors.defaultAuthenticationEntryPointFor(
                new ProblemSecurityHandlers(json), new NegatedRequestMatcher(html)));
        http.authorizeHttpRequests(rules -> rules.requestMatchers("/login", "/error", "/favicon.ico")
                .permitAll()
                .anyRequest()
                .authenticated());
        UserDetailsService accounts = localAccounts.getIfAvailable();
        if (accounts != null) {
            // The embedded provider signs people in with a form; with Entra the portal uses oauth2Login.
            DaoAuthenticationProvider checkPassword = new DaoAuthenticationProvider(accounts);
            checkPassword.setPasswordEncoder(passwords.getObject());
            http.authenticationManager(new ProviderManager(new ThrottledSignIn(checkPassword, throttle.getObject())));
            http.formLogin(form -> form.failureHandler(ThrottledSignIn.failures()));
        }
        return http.build();
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new ActorArgumentResolver());
    }
}
