package io.warden.audit;

import java.util.List;
import java.util.Map;

/**
 * The public keys that verify the audit trail's signed checkpoints and exports, as configured: what an
 * auditor pins with {@code verify-export --trust}. They never come from the database.
 */
public interface AuditKeys {

    /** The trusted keys, the one this instance signs with first. */
    List<TrustedKey> trusted();

    /**
     * The same keys as a JWK set's {@code keys}: each an RFC 8037 OKP JWK ({@code kty=OKP}, {@code crv=Ed25519},
     * {@code x}) with its {@code kid}, X.509 SubjectPublicKeyInfo ({@code spki}) and fingerprint, the signing key first.
     */
    List<Map<String, Object>> jwks();

    /**
     * One trusted key.
     *
     * @param keyId       the id checkpoints and exports name it by
     * @param fingerprint {@code sha256:} and the hex SHA-256 of its X.509 SubjectPublicKeyInfo encoding
     * @param signing     whether this instance signs new checkpoints with it (the others verify older ones)
     */
    record TrustedKey(String keyId, String fingerprint, boolean signing) {}
}
