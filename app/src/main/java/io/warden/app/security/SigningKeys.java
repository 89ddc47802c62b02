package io.warden.app.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The embedded provider's token-signing keys, kept in the database so that tokens survive restarts and every replica
 * signs and verifies with the same key, each sealed with the {@link KeyEncryptionKey}, which is not in the database. The
 * first replica to start generates an RSA key; the others read it.
 *
 * <p>Every stored key must open with the configured key-encryption key, be bound to its own row's {@code kid} and be
 * the key that {@code kid} is the RFC 7638 thumbprint of; otherwise the start fails, naming the setting. Nothing here
 * generates a replacement or falls back to a clear row, for either would let whoever holds the application's database
 * credentials plant a key of their own. The one clear form accepted is a row written by an earlier version, listed by
 * the migration in {@code idp_signing_key_clear} (which the application role cannot add to); it is sealed in place.
 */
final class SigningKeys {

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);
    private static final String LOCK = "select pg_advisory_xact_lock(hashtext('warden.idp_signing_key'))";

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final KeyEncryptionKey kek;
    private final Clock clock;

    SigningKeys(JdbcClient jdbc, TransactionTemplate transactions, KeyEncryptionKey kek, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.kek = kek;
        this.clock = clock;
    }

    /** All keys, the active one first; seals rows an earlier version left in clear; generates a key when there is none. */
    JWKSet load() {
        sealEarlierClearRows();
        List<JWK> keys = read();
        if (keys.isEmpty()) {
            generate();
            keys = read();
        }
        for (JWK key : keys) {
            log.info(
                    "The embedded provider's signing key {} (RSA, RFC 7638 SHA-256 thumbprint) opened with key-encryption key {}",
                    key.getKeyID(),
                    kek.id());
        }
        return new JWKSet(keys);
    }

    private record Row(String kid, String stored) {}

    private List<JWK> read() {
        List<JWK> keys = new ArrayList<>();
        for (Row row : jdbc.sql("select kid, jwk from idp_signing_key order by active desc, created_at desc")
                .query((rs, n) -> new Row(rs.getString(1), rs.getString(2)))
                .list()) {
            keys.add(open(row));
        }
        return keys;
    }

    private JWK open(Row row) {
        if (!KeyEncryptionKey.isSealed(row.stored())) {
            throw refused(
                    row.kid(),
                    "is stored in clear and is not a key an earlier version wrote (not listed in "
                            + "idp_signing_key_clear)");
        }
        String json;
        try {
            json = new String(kek.open(context(row.kid()), row.stored()), StandardCharsets.UTF_8);
        } catch (KeyEncryptionKey.SealedValueRefused e) {
            throw refused(row.kid(), Objects.requireNonNullElse(e.getMessage(), "the key-encryption key refuses it"));
        }
        return checked(row.kid(), json);
    }

    /** The private key behind {@code json}, when it is an RSA key whose thumbprint is its row's kid. */
    private RSAKey checked(String kid, String json) {
        try {
            JWK jwk = JWK.parse(json);
            if (!(jwk instanceof RSAKey rsa) || !rsa.isPrivate()) {
                throw refused(kid, "is not an RSA private key");
            }
            if (!kid.equals(rsa.getKeyID())
                    || !kid.equals(rsa.computeThumbprint().toString())) {
                throw refused(kid, "holds a key whose thumbprint is not its kid");
            }
            return rsa;
        } catch (ParseException | JOSEException e) {
            throw refused(kid, "is not a valid JWK");
        }
    }

    private IllegalStateException refused(String kid, String reason) {
        return new IllegalStateException("The embedded provider's signing key " + kid + " in table idp_signing_key "
                + reason
                + ". Every instance sharing this database must use the key-encryption key that sealed it: set "
                + "warden.identity.key-encryption-key or warden.identity.key-encryption-key-file to it (now "
                + kek.id() + " from " + kek.origin() + "). If no Warden wrote this row, someone holding the database "
                + "credentials planted it: delete the row and start again (a new key is generated; tokens signed by the old "
                + "one stop verifying). Warden does not start with a key it cannot trust.");
    }

    /** Seals in place the rows an earlier version stored as clear JWK JSON, once, under the same lock as generation. */
    private void sealEarlierClearRows() {
        List<Row> clear = jdbc.sql("select kid, jwk from idp_signing_key where jwk not like :sealed")
                .param("sealed", KeyEncryptionKey.V1 + ":%")
                .query((rs, n) -> new Row(rs.getString(1), rs.getString(2)))
                .list();
        if (clear.isEmpty()) {
            return;
        }
        transactions.executeWithoutResult(status -> {
            jdbc.sql(LOCK).query(Object.class).single();
            for (Row row : clear) {
                boolean listed = jdbc.sql("select count(*) from idp_signing_key_clear where kid = :kid")
                                .param("kid", row.kid())
                                .query(Long.class)
                                .single()
                        > 0;
                if (!listed) {
                    // not a row an earlier version wrote: read() refuses it with the full message
                    continue;
                }
                RSAKey key = checked(row.kid(), row.stored());
                int sealed = jdbc.sql("update idp_signing_key set jwk = :sealed where kid = :kid and jwk = :clear")
                        .param(
                                "sealed",
                                kek.seal(context(row.kid()), key.toJSONString().getBytes(StandardCharsets.UTF_8)))
                        .param("kid", row.kid())
                        .param("clear", row.stored())
                        .update();
                jdbc.sql("delete from idp_signing_key_clear where kid = :kid")
                        .param("kid", row.kid())
                        .update();
                if (sealed == 1) {
                    log.info(
                            "Sealed the embedded provider's signing key {}, which an earlier version stored in clear, "
                                    + "with key-encryption key {}",
                            row.kid(),
                            kek.id());
                }
            }
        });
    }

    private void generate() {
        RSAKey key;
        try {
            key = new RSAKeyGenerator(2048)
                    .keyUse(KeyUse.SIGNATURE)
                    .keyIDFromThumbprint(true)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not generate the embedded provider's RSA signing key", e);
        }
        transactions.executeWithoutResult(status -> {
            // Serialise first starts of several replicas: only one key becomes active.
            jdbc.sql(LOCK).query(Object.class).single();
            Long existing = jdbc.sql("select count(*) from idp_signing_key")
                    .query(Long.class)
                    .single();
            if (existing == 0) {
                jdbc.sql("insert into idp_signing_key (kid, jwk, active, created_at) values (:kid, :jwk, true, :now)")
                        .param("kid", key.getKeyID())
                        .param(
                                "jwk",
                                kek.seal(
                                        context(key.getKeyID()),
                                        key.toJSONString().getBytes(StandardCharsets.UTF_8)))
                        .param("now", Timestamp.from(clock.instant()))
                        .update();
                log.info(
                        "Generated the embedded provider's signing key {}, sealed with key-encryption key {}",
                        key.getKeyID(),
                        kek.id());
            }
        });
    }

    /** What a sealed key is bound to: its table and its row's kid, so that it cannot be moved to another row. */
    static String context(String kid) {
        return "idp_signing_key/" + kid;
    }
}
