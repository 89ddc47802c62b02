package io.warden.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micrometer.tracing.Tracer;
import io.warden.policy.OnBehalfOf;
import io.warden.registry.Role;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.nio.file.Path;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import tools.jackson.databind.json.JsonMapper;

/**
 * The data plane's authentication step on its own: the header parse gives exactly what Spring's resolver gives (the
 * regular expression it replaces), and the filter answers 401 and 403 as the generic chain did and admits agents
 * only, with the agent as the request's principal for the duration of the call.
 */
class AgentBearerAuthenticationTests {

    static final List<@Nullable String> HEADERS = Arrays.asList(
            null,
            "",
            "Basic YWxpY2U6c2VjcmV0",
            "DPoP abc.def.ghi",
            "Bearer",
            "Bearer ",
            "Bearer  abc",
            "Bearerabc",
            "bearer abc.def.ghi",
            "BEARER abc.def.ghi",
            "Bearer abc.def.ghi",
            "Bearer abc-_~+/.09AZaz",
            "Bearer abc==",
            "Bearer ==",
            "Bearer abc=def",
            "Bearer abc def",
            "Bearer abc\t",
            "Bearer abc,def",
            "Bearer abcé",
            "Bearer abc ",
            " Bearer abc",
            "Bear abc",
            "Bearer a");

    @Test
    void theHeaderParseAgreesWithSpringsResolverOnEveryShape() {
        DefaultBearerTokenResolver spring = new DefaultBearerTokenResolver();
        for (String header : HEADERS) {
            MockHttpServletRequest request = new MockHttpServletRequest("POST", "/gateway/v1/text-search");
            if (header != null) {
                request.addHeader("Authorization", header);
            }
            Object expected = outcome(() -> spring.resolve(request));
            Object actual = outcome(() -> AgentBearerAuthentication.bearerToken(header));
            assertThat(actual).as("header [%s]", header).isEqualTo(expected);
        }
    }

    private static Object outcome(Supplier<@Nullable String> parse) {
        Throwable failure = catchThrowable(() -> {
            String token = parse.get();
            throw new Resolved(token);
        });
        if (failure instanceof Resolved resolved) {
            return resolved.token == null ? "no token" : "token " + resolved.token;
        }
        if (failure instanceof OAuth2AuthenticationException oauth) {
            return "refused " + oauth.getError().getErrorCode();
        }
        return "unexpected " + failure;
    }

    private static final class Resolved extends RuntimeException {
        final @Nullable String token;

        Resolved(@Nullable String token) {
            super(null, null, false, false);
            this.token = token;
        }
    }

    static final IdentityProperties IDENTITY = new IdentityProperties(
            IdentityProperties.Provider.EXTERNAL,
            URI.create("https://login.example.org/tenant/v2.0"),
            null,
            "api://warden",
            "tenant",
            Duration.ofMinutes(10),
            Map.of(Role.ADMIN, "Warden.Admin"),
            Duration.ofMinutes(5),
            null,
            null,
            Path.of(".warden/identity"),
            Duration.ofMinutes(15),
            Duration.ofHours(1));

    static Jwt jwt(String value, Map<String, Object> claims) {
        Jwt.Builder builder = Jwt.withTokenValue(value)
                .header("alg", "RS256")
                .issuedAt(Instant.parse("2026-12-06T10:00:00Z"))
                .expiresAt(Instant.parse("2026-12-06T11:00:00Z"));
        claims.forEach(builder::claim);
        return builder.build();
    }

    /** Tokens "agent" and "person" decode; anything else is a bad token. */
    static final JwtDecoder DECODER = token -> switch (token) {
        case "agent" -> jwt(token, Map.of("azp", "demo-retrieval-agent", "idtyp", "app"));
        case "person" ->
            jwt(token, Map.of("oid", "person-oid", "scp", "access_as_user", "roles", List.of("Warden.Admin")));
        case "delegated" ->
            jwt(
                    token,
                    Map.of(
                            "sub",
                            "person-oid",
                            "azp",
                            "demo-retrieval-agent",
                            "act",
                            Map.of("sub", "demo-retrieval-agent")));
        default -> throw new BadJwtException("signature does not verify");
    };

    final AgentBearerAuthentication filter = new AgentBearerAuthentication(
            DECODER,
            new TokenAuthenticationConverter(IDENTITY, clientId -> false),
            new ProblemSecurityHandlers(JsonMapper.builder().build()),
            Tracer.NOOP);

    record Passed(
            @Nullable Principal principal,
            @Nullable Authentication context,
            @Nullable Object onBehalfOf) {}

    MockHttpServletResponse call(@Nullable String authorization, AtomicReference<@Nullable Passed> passed)
            throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/gateway/v1/text-search");
        request.setRequestURI("/gateway/v1/text-search");
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        FilterChain chain = (req, res) -> passed.set(new Passed(
                ((HttpServletRequest) req).getUserPrincipal(),
                SecurityContextHolder.getContext().getAuthentication(),
                req.getAttribute(OnBehalfOf.ATTRIBUTE)));
        filter.doFilter(request, response, chain);
        return response;
    }

    @Test
    void aDelegatedTokenIsTheAgentWithThePersonOnTheRequest() throws Exception {
        AtomicReference<@Nullable Passed> passed = new AtomicReference<>();
        assertThat(call("Bearer delegated", passed).getStatus()).isEqualTo(200);
        Passed seen = passed.get();
        assertThat(seen).isNotNull();
        assertThat(seen.principal()).isNotNull();
        assertThat(seen.principal().getName()).isEqualTo("demo-retrieval-agent");
        assertThat(seen.onBehalfOf()).isEqualTo(new OnBehalfOf("person-oid", OnBehalfOf.TOKEN_EXCHANGE));

        AtomicReference<@Nullable Passed> own = new AtomicReference<>();
        assertThat(call("Bearer agent", own).getStatus()).isEqualTo(200);
        assertThat(own.get()).isNotNull();
        assertThat(own.get().onBehalfOf())
                .as("an agent's own call serves nobody")
                .isNull();
    }

    @Test
    void anAgentIsThePrincipalOfItsCallAndTheContextIsClearedAfterwards() throws Exception {
        AtomicReference<@Nullable Passed> passed = new AtomicReference<>();
        MockHttpServletResponse response = call("Bearer agent", passed);
        assertThat(response.getStatus()).isEqualTo(200);
        Passed seen = passed.get();
        assertThat(seen).isNotNull();
        assertThat(seen.principal()).isNotNull();
        assertThat(seen.principal().getName()).isEqualTo("demo-retrieval-agent");
        assertThat(seen.context()).isSameAs(seen.principal());
        assertThat(SecurityContextHolder.getContext().getAuthentication()).isNull();
    }

    @Test
    void noTokenIsA401ProblemWithTheBearerChallenge() throws Exception {
        AtomicReference<@Nullable Passed> passed = new AtomicReference<>();
        MockHttpServletResponse response = call(null, passed);
        assertThat(passed.get()).isNull();
        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer").doesNotContain("error=");
        assertThat(response.getContentType()).startsWith("application/problem+json");
        assertThat(response.getContentAsString()).contains("\"code\":\"unauthenticated\"");
    }

    @Test
    void aBadOrMalformedTokenIsA401InvalidToken() throws Exception {
        for (String header : List.of("Bearer forged", "Bearer a b", "Bearer")) {
            AtomicReference<@Nullable Passed> passed = new AtomicReference<>();
            MockHttpServletResponse response = call(header, passed);
            assertThat(passed.get()).as(header).isNull();
            assertThat(response.getStatus()).as(header).isEqualTo(401);
            assertThat(response.getHeader("WWW-Authenticate")).as(header).startsWith("Bearer error=\"invalid_token\"");
            assertThat(response.getContentAsString()).as(header).doesNotContain("forged");
        }
    }

    @Test
    void aPersonsTokenIsRefusedWith403() throws Exception {
        AtomicReference<@Nullable Passed> passed = new AtomicReference<>();
        MockHttpServletResponse response = call("Bearer person", passed);
        assertThat(passed.get()).isNull();
        assertThat(response.getStatus()).isEqualTo(403);
        assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer error=\"insufficient_scope\"");
        assertThat(response.getContentType()).startsWith("application/problem+json");
    }
}
