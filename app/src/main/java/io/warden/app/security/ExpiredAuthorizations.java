package io.warden.app.security;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Deletes the embedded provider's authorizations whose every token expired more than
 * {@code warden.identity.authorization-purge-grace} ago, every {@code warden.identity.authorization-purge-interval}.
 * Such a row can no longer authorize anything; kept, it only grows the table and what a reader of the database learns
 * about who signed in when. The delete is idempotent, so every instance may run it; a row without any expiry (an
 * authorization waiting for consent, which Warden's clients do not ask for) is left alone.
 */
final class ExpiredAuthorizations {

    private static final Logger log = LoggerFactory.getLogger(ExpiredAuthorizations.class);

    private final JdbcClient jdbc;
    private final Duration grace;
    private final Clock clock;

    ExpiredAuthorizations(JdbcClient jdbc, Duration grace, Clock clock) {
        this.jdbc = jdbc;
        this.grace = grace;
        this.clock = clock;
    }

    @Scheduled(
            initialDelayString = "${warden.identity.authorization-purge-interval:PT15M}",
            fixedDelayString = "${warden.identity.authorization-purge-interval:PT15M}")
    void scheduled() {
        purge();
    }

    /** Deletes what expired before now less the grace period; returns how many authorizations went. */
    int purge() {
        Instant before = clock.instant().minus(grace);
        // greatest() skips nulls: the last expiry among the tokens the authorization holds
        int purged = jdbc.sql("""
                delete from oauth2_authorization
                where greatest(authorization_code_expires_at, access_token_expires_at, oidc_id_token_expires_at,
                               refresh_token_expires_at, user_code_expires_at, device_code_expires_at) < :before""").param("before", Timestamp.from(before)).update();
        if (purged > 0) {
            log.info(
                    "Purged {} authorizations of the embedded provider whose every token expired before {}",
                    purged,
                    before);
        } else {
            log.debug("No expired authorizations of the embedded provider to purge (before {})", before);
        }
        return purged;
    }
}
