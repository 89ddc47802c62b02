package io.warden.app.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.text.ParseException;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The embedded provider's token-signing keys, kept in the database so that tokens survive restarts and
 * every replica signs and verifies with the same key. The first replica to start generates an RSA key;
 * the others read it.
 */
final class SigningKeys {

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;

    SigningKeys(JdbcClient jdbc, TransactionTemplate transactions, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** All keys, the active one first; generates one when there is none. */
    JWKSet load() {
        List<JWK> keys = read();
        if (keys.isEmpty()) {
            generate();
            keys = read();
        }
        return new JWKSet(keys);
    }

    private List<JWK> read() {
        return jdbc.sql("select jwk from idp_signing_key order by active desc, created_at desc")
                .query((rs, row) -> parse(rs.getString(1))).list();
    }

    private void generate() {
        RSAKey key;
        try {
            key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not generate the embedded provider's RSA signing key", e);
        }
        transactions.executeWithoutResult(status -> {
            // Serialise first starts of several replicas: only one key becomes active.
            jdbc.sql("select pg_advisory_xact_lock(hashtext('warden.idp_signing_key'))").query(Object.class).single();
            Long existing = jdbc.sql("select count(*) from idp_signing_key").query(Long.class).single();
            if (existing == 0) {
                jdbc.sql("insert into idp_signing_key (kid, jwk, active, created_at) values (:kid, :jwk, true, :now)")
                        .param("kid", key.getKeyID())
                        .param("jwk", key.toJSONString())
                        .param("now", java.sql.Timestamp.from(clock.instant()))
                        .update();
                log.info("Generated the embedded provider's signing key {}", key.getKeyID());
            }
        });
    }

    private static JWK parse(String json) {
        try {
            return JWK.parse(json);
        } catch (ParseException e) {
            throw new IllegalStateException("A stored signing key is not a valid JWK", e);
        }
    }
}
