package io.warden.app.security;

import io.warden.registry.Role;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
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
 * @param keyEncryptionKey the embedded provider's key-encryption key (32 bytes, base64) that seals its signing key
 *                   in the database; every replica sharing a database sets the same one
 * @param keyEncryptionKeyFile a file holding that key instead (base64, owner-only)
 * @param keyDir     where a key-encryption key is generated when neither is set
 * @param authorizationPurgeInterval how often expired authorizations of the embedded provider are deleted
 * @param authorizationPurgeGrace how long after its last token expired an authorization is kept
 */
@ConfigurationProperties("warden.identity")
public record IdentityProperties(
        @DefaultValue("embedded") Provider provider,
        URI issuer,
        @Nullable URI jwkSetUri,
        @DefaultValue("api://warden") String audience,

        @DefaultValue("9f3c4a6e-5b1d-4c2a-8e7f-0a1b2c3d4e5f")
        String tenantId,

        @DefaultValue("PT15M") Duration tokenTtl,
        @Nullable Map<Role, String> roleValues,
        @DefaultValue("PT5M") Duration verifiedTokenCache,
        @Nullable String keyEncryptionKey,
        @Nullable Path keyEncryptionKeyFile,
        @DefaultValue("./.warden/identity") Path keyDir,
        @DefaultValue("PT15M") Duration authorizationPurgeInterval,
        @DefaultValue("PT1H") Duration authorizationPurgeGrace) {

    /** Where tokens come from. */
    public enum Provider {
        EMBEDDED,
        EXTERNAL
    }

    public IdentityProperties {
        if (issuer == null) {
            throw new IllegalArgumentException(
                    "Set warden.identity.issuer (WARDEN_IDENTITY_ISSUER), e.g. "
                            + "http://localhost:8080 for the embedded provider or https://login.microsoftonline.com/<tenant>/v2.0");
        }
        if (tokenTtl.isNegative() || tokenTtl.isZero() || tokenTtl.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException(
                    "warden.identity.token-ttl must be between 1 second and 24 hours, got " + tokenTtl);
        }
        if (verifiedTokenCache.isNegative() || verifiedTokenCache.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(
                    "warden.identity.verified-token-cache must be between PT0S and PT1H, got " + verifiedTokenCache);
        }
        // application.yml passes unset environment variables as empty strings
        if (keyEncryptionKey != null && keyEncryptionKey.isBlank()) {
            keyEncryptionKey = null;
        }
        if (keyEncryptionKeyFile != null && keyEncryptionKeyFile.toString().isBlank()) {
            keyEncryptionKeyFile = null;
        }
        if (keyEncryptionKey != null && keyEncryptionKeyFile != null) {
            throw new IllegalArgumentException(
                    "Set warden.identity.key-encryption-key or warden.identity.key-encryption-key-file, " + "not both");
        }
        if (keyEncryptionKey != null) {
            decodeKek(keyEncryptionKey, "warden.identity.key-encryption-key");
        }
        if (authorizationPurgeInterval.isNegative() || authorizationPurgeInterval.isZero()) {
            throw new IllegalArgumentException(
                    "warden.identity.authorization-purge-interval must be positive, e.g. PT15M, got "
                            + authorizationPurgeInterval);
        }
        if (authorizationPurgeGrace.isNegative()) {
            throw new IllegalArgumentException(
                    "warden.identity.authorization-purge-grace must not be negative, got " + authorizationPurgeGrace);
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

    /** The 32 bytes of a key-encryption key given in base64, or a message naming {@code setting} (never the value). */
    static byte[] decodeKek(String base64, String setting) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    setting + " must be 32 random bytes in base64 (e.g. openssl rand -base64 32); "
                            + "the value given is not base64");
        }
        if (key.length != 32) {
            throw new IllegalArgumentException(
                    setting + " must be 32 random bytes in base64 (e.g. openssl rand -base64 32); "
                            + "the value given has " + key.length + " bytes");
        }
        return key;
    }

    /** Never shows the key-encryption key, which a bind failure or a debug line could otherwise print. */
    @Override
    public String toString() {
        return "IdentityProperties[provider=" + provider + ", issuer=" + issuer + ", audience=" + audience
                + ", keyEncryptionKey=" + (keyEncryptionKey == null ? "unset" : "***") + ", keyEncryptionKeyFile="
                + keyEncryptionKeyFile + ", keyDir=" + keyDir + "]";
    }

    /** The claim value that stands for {@code role}. */
    public String claimValue(Role role) {
        return Objects.requireNonNull(Objects.requireNonNull(roleValues).get(role), "a claim value for every role");
    }
}
