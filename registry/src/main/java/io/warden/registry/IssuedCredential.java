package io.warden.registry;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A credential an identity provider has just issued or accepted for an agent's client, as recorded in the
 * {@link CredentialLedger}: never the secret itself.
 *
 * @param providerKeyId the provider's id for it (Entra's {@code keyId}), needed to revoke it there; null for
 *                      the embedded provider, which checks the ledger itself
 * @param fingerprint   a certificate's SHA-256 thumbprint, base64url (the {@code x5t#S256} a client assertion
 *                      names); null for secrets
 * @param verifier      a one-way encoding of a secret (the embedded provider's password-encoder output), by
 *                      which the embedded provider checks a presented secret; null elsewhere
 * @param certificatePem the certificate, PEM; null for secrets
 */
public record IssuedCredential(
        CredentialKind kind,
        @Nullable String providerKeyId,
        @Nullable String fingerprint,
        @Nullable String verifier,
        @Nullable String certificatePem,
        Instant notBefore,
        Instant expiresAt) {

    public IssuedCredential {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!expiresAt.isAfter(notBefore)) {
            throw new IllegalArgumentException(
                    "a credential must expire after it becomes valid: " + notBefore + " .. " + expiresAt);
        }
        if (kind == CredentialKind.CERTIFICATE && (fingerprint == null || certificatePem == null)) {
            throw new IllegalArgumentException("a certificate credential needs its fingerprint and PEM");
        }
    }

    public static IssuedCredential secret(
            @Nullable String providerKeyId, @Nullable String verifier, Instant notBefore, Instant expiresAt) {
        return new IssuedCredential(CredentialKind.SECRET, providerKeyId, null, verifier, null, notBefore, expiresAt);
    }
}
