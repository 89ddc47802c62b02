package io.warden.audit.internal;

import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The public keys of every key that has signed checkpoints, as published in {@code audit_signing_key}.
 * An auditor obtains them from here (or from Warden's operators) and decides which to trust; the
 * verifiers trust only keys given to them.
 */
@Component
public class PublishedKeys {

    private final JdbcClient jdbc;

    PublishedKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Each key as an RFC 8037 OKP JWK ({@code kty=OKP}, {@code crv=Ed25519}, {@code x}), with its creation time. */
    public List<Map<String, Object>> jwks() {
        return jdbc.sql("select key_id, public_key, created_at from audit_signing_key order by created_at")
                .query((rs, row) -> {
                    byte[] spki = rs.getBytes(2);
                    Map<String, Object> jwk = new LinkedHashMap<>();
                    jwk.put("kty", "OKP");
                    jwk.put("crv", "Ed25519");
                    jwk.put("kid", rs.getString(1));
                    jwk.put("use", "sig");
                    jwk.put("alg", "EdDSA");
                    // the raw key is the last 32 bytes of its X.509 SubjectPublicKeyInfo encoding
                    jwk.put("x", Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
                    jwk.put("spki", Base64.getEncoder().encodeToString(spki));
                    jwk.put("created", rs.getTimestamp(3).toInstant().toString());
                    return jwk;
                }).list();
    }
}
