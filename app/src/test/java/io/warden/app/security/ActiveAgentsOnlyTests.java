package io.warden.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.registry.AgentFilter;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.AgentViews;
import io.warden.registry.Page;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;

/** The token endpoint's client authentication lets an agent's client through only while the registry says ACTIVE, and fails closed. */
class ActiveAgentsOnlyTests {

    static final OAuth2ClientAuthenticationToken AUTHENTICATED = new OAuth2ClientAuthenticationToken(
            AgentClients.client(
                    "agent-1",
                    "Agent one",
                    "s3cret",
                    PasswordEncoderFactories.createDelegatingPasswordEncoder(),
                    Duration.ofMinutes(5)),
            ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
            null);

    static final AuthenticationProvider SECRET_CHECKED = new AuthenticationProvider() {
        public Authentication authenticate(Authentication authentication) {
            return AUTHENTICATED;
        }

        public boolean supports(Class<?> authentication) {
            return OAuth2ClientAuthenticationToken.class.isAssignableFrom(authentication);
        }
    };

    @Test
    void anActiveAgentsClientAndAClientOfNoAgentAuthenticate() {
        assertThat(guard(clientId -> Optional.of(agent(AgentStatus.ACTIVE))).authenticate(request()))
                .isSameAs(AUTHENTICATED);
        assertThat(guard(clientId -> Optional.empty()).authenticate(request()))
                .as("the portal, the command line")
                .isSameAs(AUTHENTICATED);
    }

    @Test
    void denyWhenTheAgentIsSuspendedRetiredOrNotYetActive() {
        for (AgentStatus status :
                List.of(AgentStatus.SUSPENDED, AgentStatus.RETIRED, AgentStatus.DRAFT, AgentStatus.PENDING_APPROVAL)) {
            assertThatThrownBy(
                            () -> guard(clientId -> Optional.of(agent(status))).authenticate(request()))
                    .as(status.name())
                    .isInstanceOfSatisfying(
                            OAuth2AuthenticationException.class,
                            e -> assertThat(e.getError().getErrorCode()).isEqualTo("invalid_client"));
        }
    }

    @Test
    void denyWhenTheRegistryCannotBeRead() {
        assertThatThrownBy(() -> guard(clientId -> {
                            throw new IllegalStateException("connection refused");
                        })
                        .authenticate(request()))
                .isInstanceOfSatisfying(
                        OAuth2AuthenticationException.class,
                        e -> assertThat(e.getError().getErrorCode()).isEqualTo("temporarily_unavailable"));
    }

    @Test
    void aFailedClientAuthenticationIsNotLookedUp() {
        AuthenticationProvider refusing = new AuthenticationProvider() {
            public Authentication authenticate(Authentication authentication) {
                throw new OAuth2AuthenticationException("invalid_client");
            }

            public boolean supports(Class<?> authentication) {
                return true;
            }
        };
        var guard = new ActiveAgentsOnly(refusing, queries(clientId -> {
            throw new AssertionError("looked up " + clientId);
        }));
        assertThatThrownBy(() -> guard.authenticate(request())).isInstanceOf(OAuth2AuthenticationException.class);
        assertThat(guard.supports(OAuth2ClientAuthenticationToken.class)).isTrue();
    }

    @Test
    void errorsAreAnsweredWithTheirStatus() throws Exception {
        assertThat(answer("invalid_client").getStatus()).isEqualTo(401);
        assertThat(answer("temporarily_unavailable").getStatus())
                .as("retry, not wrong credentials")
                .isEqualTo(503);
        MockHttpServletResponse other = answer("invalid_request");
        assertThat(other.getStatus()).isEqualTo(400);
        assertThat(other.getContentAsString()).contains("\"error\":\"invalid_request\"");
    }

    private static MockHttpServletResponse answer(String code) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        ActiveAgentsOnly.errorResponses()
                .onAuthenticationFailure(
                        new MockHttpServletRequest(),
                        response,
                        new OAuth2AuthenticationException(new OAuth2Error(code)));
        return response;
    }

    private static ActiveAgentsOnly guard(Function<String, Optional<AgentView>> byClientId) {
        return new ActiveAgentsOnly(SECRET_CHECKED, queries(byClientId));
    }

    private static Authentication request() {
        return new OAuth2ClientAuthenticationToken(
                "agent-1", ClientAuthenticationMethod.CLIENT_SECRET_BASIC, "s3cret", Map.of());
    }

    private static AgentView agent(AgentStatus status) {
        return AgentViews.anAgent()
                .withName("Agent one")
                .withPurpose("p")
                .withStatus(status)
                .withClientId("agent-1")
                .build();
    }

    private static AgentQueries queries(Function<String, Optional<AgentView>> byClientId) {
        return new AgentQueries() {
            public Optional<AgentView> findAgent(AgentId id) {
                throw new UnsupportedOperationException();
            }

            public Optional<AgentView> findAgentByClientId(String clientId) {
                return byClientId.apply(clientId);
            }

            public List<AgentId> dormantSince(Instant before) {
                throw new UnsupportedOperationException();
            }

            public List<AgentId> recertificationDue(Instant by) {
                throw new UnsupportedOperationException();
            }

            public Map<AgentId, String> ownersOfLiveAgents() {
                throw new UnsupportedOperationException();
            }

            public AgentView get(AgentId id) {
                throw new UnsupportedOperationException();
            }

            public Page<AgentView> search(AgentFilter filter, @Nullable Integer page, @Nullable Integer size) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
