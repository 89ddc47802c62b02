package io.warden.audit.internal;

import io.warden.audit.AuditKeys;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys that verify checkpoints: this instance's signing key and the earlier keys configured in
 * {@code warden.audit.trusted-public-keys}. They come from configuration only, never from the database, so
 * whoever holds the application's database credentials cannot add a key that {@code /audit/keys} serves.
 * Each key's fingerprint is logged when the keys are loaded, for auditors to pin with
 * {@code verify-export --trust}.
 */
final class PublishedKeys implements AuditKeys {

    private static final Logger log = LoggerFactory.getLogger(PublishedKeys.class);

    private final Map<String, PublicKey> keys;
    private final String signingKeyId;

    PublishedKeys(SigningKeys.SigningKey signingKey, Map<String, PublicKey> earlierKeys) {
        Map<String, PublicKey> ordered = new LinkedHashMap<>();
        ordered.put(signingKey.keyId(), signingKey.publicKey());
        earlierKeys.forEach(ordered::putIfAbsent);
        this.keys = Collections.unmodifiableMap(ordered);
        this.signingKeyId = signingKey.keyId();
        keys.forEach((id, key) -> log.info(
                "Audit key {} is trusted{}: fingerprint {}",
                id,
                id.equals(signingKey.keyId()) ? " (this instance signs with it)" : "",
                SigningKeys.fingerprint(key)));
    }

    /** The trusted keys by key id, the signing key first. */
    Map<String, PublicKey> keys() {
        return keys;
    }

    @Override
    public List<TrustedKey> trusted() {
        return keys.entrySet().stream()
                .map(entry -> new TrustedKey(
                        entry.getKey(),
                        SigningKeys.fingerprint(entry.getValue()),
                        entry.getKey().equals(signingKeyId)))
                .toList();
    }

    @Override
    public List<Map<String, Object>> jwks() {
        List<Map<String, Object>> jwks = new ArrayList<>();
        keys.forEach((id, key) -> {
            byte[] spki = key.getEncoded();
            Map<String, Object> jwk = new LinkedHashMap<>();
            jwk.put("kty", "OKP");
            jwk.put("crv", "Ed25519");
            jwk.put("kid", id);
            jwk.put("use", "sig");
            jwk.put("alg", "EdDSA");
            // the raw key is the last 32 bytes of its X.509 SubjectPublicKeyInfo encoding
            jwk.put(
                    "x",
                    Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
            jwk.put("spki", Base64.getEncoder().encodeToString(spki));
            jwk.put("fingerprint", SigningKeys.fingerprint(key));
            jwks.add(jwk);
        });
        return jwks;
    }
}
