package io.warden.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.policy.OnBehalfOf;
import io.warden.registry.Actor;
import io.warden.registry.ActorType;
import io.warden.registry.Role;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;

/** Entra ID's token shapes, v1 and v2, app-only and delegated, mapped to Warden actors. */
class TokenAuthenticationConverterTests {

    private final IdentityProperties entra = new IdentityProperties(
            IdentityProperties.Provider.EXTERNAL,
            URI.create("https://login.microsoftonline.com/tenant/v2.0"),
            null,
            "api://warden",
            "tenant",
            Duration.ofMinutes(10),
            Map.of(Role.ADMIN, "Warden.Admin", Role.COMPLIANCE, "Warden.Compliance"),
            Duration.ofMinutes(5),
            null,
            null,
            Path.of(".warden/identity"),
            Duration.ofMinutes(15),
            Duration.ofHours(1));
    private final TokenAuthenticationConverter converter = new TokenAuthenticationConverter(entra, clientId -> false);

    @Test
    void delegatedTokenIsAPersonIdentifiedByOidWithMappedRoles() {
        Jwt jwt = jwt(Map.of(
                "oid",
                "person-oid",
                "scp",
                "access_as_user",
                "roles",
                List.of("Warden.Admin", "Other.Role"),
                "azp",
                "portal-client"));
        Actor actor = ActorArgumentResolver.actorOf(converter.convert(jwt));
        assertThat(actor.type()).isEqualTo(ActorType.PERSON);
        assertThat(actor.id()).isEqualTo("person-oid");
        assertThat(actor.roles()).containsExactly(Role.ADMIN);
    }

    @Test
    void roleNamesThatAreNotConfiguredValuesGrantNothing() {
        Jwt jwt = jwt(Map.of("oid", "person-oid", "scp", "access_as_user", "roles", List.of("ADMIN")));
        assertThat(ActorArgumentResolver.actorOf(converter.convert(jwt)).roles())
                .isEmpty();
    }

    @Test
    void appOnlyV2TokenIsAnAgentIdentifiedByAzpAndNeverHoldsPersonRoles() {
        Jwt jwt = jwt(Map.of("azp", "agent-app-id", "oid", "sp-oid", "roles", List.of("Warden.Admin"), "idtyp", "app"));
        Actor actor = ActorArgumentResolver.actorOf(converter.convert(jwt));
        assertThat(actor).isEqualTo(Actor.agent("agent-app-id"));
    }

    @Test
    void appOnlyV1TokenIsRecognisedByAppid() {
        Jwt jwt = jwt(Map.of("appid", "agent-app-id-v1", "oid", "sp-oid"));
        assertThat(ActorArgumentResolver.actorOf(converter.convert(jwt))).isEqualTo(Actor.agent("agent-app-id-v1"));
    }

    @Test
    void tokensThatNameNoCallerAreRefused() {
        assertThatThrownBy(() -> converter.convert(jwt(Map.of("oid", "x"))))
                .isInstanceOf(BadJwtException.class)
                .hasMessageContaining("azp");
        assertThatThrownBy(() -> converter.convert(jwt(Map.of("scp", "access_as_user", "sub", "someone"))))
                .isInstanceOf(BadJwtException.class)
                .hasMessageContaining("oid");
    }

    @Test
    void embeddedDefaultsUseTheRoleNamesThemselves() {
        var local = new IdentityProperties(
                IdentityProperties.Provider.EMBEDDED,
                URI.create("http://localhost:8080"),
                null,
                "api://warden",
                "t",
                Duration.ofMinutes(5),
                null,
                Duration.ofMinutes(5),
                null,
                null,
                Path.of(".warden/identity"),
                Duration.ofMinutes(15),
                Duration.ofHours(1));
        Jwt jwt = jwt(Map.of("oid", "p", "scp", "openid warden.api", "roles", List.of("OWNER", "SECOPS")));
        assertThat(ActorArgumentResolver.actorOf(
                                new TokenAuthenticationConverter(local, clientId -> false).convert(jwt))
                        .roles())
                .containsExactlyInAnyOrder(Role.OWNER, Role.SECOPS);
    }

    @Test
    @SuppressWarnings("NullAway") // the constructor guard under test: a missing issuer is refused, naming the setting
    void missingIssuerConfigurationSaysWhatToSet() {
        assertThatThrownBy(() -> new IdentityProperties(
                        IdentityProperties.Provider.EMBEDDED,
                        null,
                        null,
                        "a",
                        "t",
                        Duration.ofMinutes(5),
                        null,
                        Duration.ZERO,
                        null,
                        null,
                        Path.of(".warden/identity"),
                        Duration.ofMinutes(15),
                        Duration.ofHours(1)))
                .hasMessageContaining("warden.identity.issuer");
    }

    private static Jwt jwt(Map<String, Object> claims) {
        Jwt.Builder builder = Jwt.withTokenValue("token")
                .header("alg", "RS256")
                .issuedAt(Instant.parse("2026-11-28T10:00:00Z"))
                .expiresAt(Instant.parse("2026-11-28T11:00:00Z"));
        claims.forEach(builder::claim);
        return builder.build();
    }

    @Test
    void anExchangedTokenIsTheAgentCarryingThePerson() {
        Jwt jwt = jwt(Map.of(
                "sub",
                "person-oid",
                "oid",
                "person-oid",
                "azp",
                "agent-1",
                "scp",
                "warden.gateway",
                "act",
                Map.of("sub", "agent-1")));
        var caller = converter.convert(jwt);
        assertThat(caller.getName()).isEqualTo("agent-1");
        assertThat(caller.getAuthorities())
                .extracting(a -> a.getAuthority())
                .containsExactly(TokenAuthenticationConverter.AGENT);
        assertThat(TokenAuthenticationConverter.onBehalfOf(caller))
                .isEqualTo(new OnBehalfOf("person-oid", OnBehalfOf.TOKEN_EXCHANGE));
    }

    @Test
    void aNestedActorChainOrAnActorThatIsNotTheAuthorizedPartyIsRefused() {
        assertThatThrownBy(() -> converter.convert(jwt(Map.of(
                        "sub",
                        "person-oid",
                        "azp",
                        "agent-1",
                        "act",
                        Map.of("sub", "agent-1", "act", Map.of("sub", "agent-0"))))))
                .isInstanceOf(BadJwtException.class)
                .hasMessageContaining("one level");
        assertThatThrownBy(() -> converter.convert(
                        jwt(Map.of("sub", "person-oid", "azp", "agent-2", "act", Map.of("sub", "agent-1")))))
                .isInstanceOf(BadJwtException.class);
        assertThatThrownBy(() -> converter.convert(jwt(Map.of("sub", "person-oid", "act", "agent-1"))))
                .isInstanceOf(BadJwtException.class);
    }

    @Test
    void anEntraDelegatedTokenWhoseAuthorizedPartyIsAnAgentIsThatAgentForThePerson() {
        var agents = new TokenAuthenticationConverter(entra, "agent-app"::equals);
        var caller = agents.convert(jwt(Map.of(
                "oid", "person-oid", "scp", "access_as_user", "roles", List.of("Warden.Admin"), "azp", "agent-app")));
        assertThat(caller.getName()).isEqualTo("agent-app");
        assertThat(caller.getAuthorities())
                .extracting(a -> a.getAuthority())
                .containsExactly(TokenAuthenticationConverter.AGENT);
        assertThat(TokenAuthenticationConverter.onBehalfOf(caller))
                .isEqualTo(new OnBehalfOf("person-oid", OnBehalfOf.ENTRA_OBO));
        var person = agents.convert(jwt(Map.of("oid", "person-oid", "scp", "access_as_user", "azp", "portal-client")));
        assertThat(TokenAuthenticationConverter.onBehalfOf(person)).isNull();
        assertThat(person.getName()).isEqualTo("person-oid");
    }

    @Test
    void anUnreadableRegistryRefusesADelegatedTokenRatherThanGuess() {
        var broken = new TokenAuthenticationConverter(entra, clientId -> {
            throw new IllegalStateException("registry down");
        });
        assertThatThrownBy(() ->
                        broken.convert(jwt(Map.of("oid", "person-oid", "scp", "access_as_user", "azp", "agent-app"))))
                .isInstanceOf(JwtException.class);
    }
}
