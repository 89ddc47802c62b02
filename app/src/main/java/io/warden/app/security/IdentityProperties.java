package io.warden.app.security;

import io.warden.registry.Role;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who issues the tokens Warden accepts, under {@code warden.identity}.
 *
 * @param provider   {@code embedded} (Warden's own OpenID provider, the default) or {@code external}
 *                   (Entra ID or any OpenID provider)
 * @param issuer     the issuer URI tokens must carry; for the embedded provider also the URI it announces.
 *                   Entra: {@code https://login.microsoftonline.com/<tenant-id>/v2.0}
 * @param jwkSetUri  where an external provider's signing keys are; discovered from the issuer when empty
 * @param audience   the audience tokens must carry (Entra: the API's application id URI or client id)
 * @param tenantId   the {@code tid} the embedded provider puts in its tokens
 * @param tokenTtl   lifetime of access tokens the embedded provider issues
 * @param roleValues the {@code roles} claim value for each Warden role (Entra app role values such as
 *                   {@code Warden.Admin}); by default the role's own name
 * @param verifiedTokenCache how long a token whose signature was verified is remembered (expiry, issuer
 *                   and audience are still checked on every use); {@code PT0S} verifies every time
 */
@ConfigurationProperties("warden.identity")
public record IdentityProperties(
        @DefaultValue("embedded") Provider provider,
        URI issuer,
        @Nullable URI jwkSetUri,
        @DefaultValue("api://warden") String audience,
        @DefaultValue("9f3c4a6e-5b1d-4c2a-8e7f-0a1b2c3d4e5f") String tenantId,
        @DefaultValue("PT15M") Duration tokenTtl,
        @Nullable Map<Role, String> roleValues,
        @DefaultValue("PT5M") Duration verifiedTokenCache) {

    /** Where tokens come from. */
    public enum Provider {
        EMBEDDED,
        EXTERNAL
    }

    public IdentityProperties {
        if (issuer == null) {
            throw new IllegalArgumentException("Set warden.identity.issuer (WARDEN_IDENTITY_ISSUER), e.g. "
                    + "http://localhost:8080 for the embedded provider or https://login.microsoftonline.com/<tenant>/v2.0");
        }
        if (tokenTtl.isNegative() || tokenTtl.isZero() || tokenTtl.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("warden.identity.token-ttl must be between 1 second and 24 hours, got " + tokenTtl);
        }
        if (verifiedTokenCache.isNegative() || verifiedTokenCache.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("warden.identity.verified-token-cache must be between PT0S and PT1H, got "
                    + verifiedTokenCache);
        }
        Map<Role, String> values = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            values.put(role, role.name());
        }
        if (roleValues != null) {
            values.putAll(roleValues);
        }
        roleValues = Map.copyOf(values);
    }

    /** The claim value that stands for {@code role}. */
    public String claimValue(Role role) {
        return java.util.Objects.requireNonNull(roleValues).get(role);
    }
}
