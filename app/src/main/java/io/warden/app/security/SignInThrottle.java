package io.warden.app.security;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Backoff after failed sign-ins, per account and per client address, kept in PostgreSQL so every replica
 * refuses during the same wait. After {@code N} failures in a row a key waits {@code backoff}, each further
 * failure doubles the wait up to {@code maxBackoff}; failures older than {@code forgetAfter} no longer count.
 * An account key is the name as typed (known or not, so the answer never tells whether an account exists); a
 * success clears the account's failures but not the address's, so one valid account cannot launder an
 * address's guesses. Every failure and every wait that starts is audited. Thread-safe.
 */
final class SignInThrottle {

    /** Longer names are cut: the key and the audit record must not grow with hostile input. */
    private static final int MAX_NAME = 128;

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final HardeningProperties.SignIn settings;
    private final Clock clock;

    SignInThrottle(JdbcClient jdbc, AuditLog audit, HardeningProperties.SignIn settings, Clock clock) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.settings = settings;
        this.clock = clock;
    }

    /** How long the caller must still wait before a password is even checked; empty when it may try now. */
    Optional<Duration> waitFor(String username, @Nullable String address) {
        Instant now = clock.instant();
        List<Timestamp> until = jdbc.sql("""
                select blocked_until from sign_in_throttle
                where key in (:keys) and blocked_until > :now""")
                .param("keys", keys(username, address))
                .param("now", Timestamp.from(now))
                .query((rows, row) -> rows.getTimestamp("blocked_until"))
                .list();
        return until.stream().map(Timestamp::toInstant).max(Instant::compareTo).map(end -> Duration.between(now, end));
    }

    /** Counts a failed sign-in against the account and the address, starting or lengthening their wait. */
    void failed(String username, @Nullable String address, String reason) {
        String name = name(username);
        Instant now = clock.instant();
        audit.append(AuditEvent.builder(
                        "signin.failed",
                        AuditActor.system("identity-provider"),
                        new AuditTarget("local-account", name.isEmpty() ? "(empty)" : name))
                .decision("DENY")
                .reason(reason)
                .outcome(Outcome.MINOR_FAILURE)
                .detail("address", address)
                .build());
        count("account:" + name, settings.accountMaxFailures(), now, name, address);
        if (address != null) {
            count("address:" + address, settings.addressMaxFailures(), now, name, address);
        }
    }

    /** A successful sign-in clears the account's failures. */
    void succeeded(String username) {
        jdbc.sql("delete from sign_in_throttle where key = :key")
                .param("key", "account:" + name(username))
                .update();
    }

    /** Drops keys whose failures are forgotten and whose wait is over, so names typed once do not pile up. */
    int forgetOld() {
        Instant now = clock.instant();
        return jdbc.sql("""
                delete from sign_in_throttle
                where last_failure_at < :forget and (blocked_until is null or blocked_until < :now)""")
                .param("forget", Timestamp.from(now.minus(settings.forgetAfter())))
                .param("now", Timestamp.from(now))
                .update();
    }

    private void count(String key, int threshold, Instant now, String name, @Nullable String address) {
        // one statement, so concurrent failures on several replicas each count exactly once
        int failures = jdbc.sql("""
                insert into sign_in_throttle (key, failures, last_failure_at) values (:key, 1, :now)
                on conflict (key) do update set
                    failures = case when sign_in_throttle.last_failure_at < :forget then 1 else sign_in_throttle.failures + 1 end,
                    last_failure_at = :now
                returning failures""")
                .param("key", key)
                .param("now", Timestamp.from(now))
                .param("forget", Timestamp.from(now.minus(settings.forgetAfter())))
                .query(Integer.class)
                .single();
        if (failures < threshold) {
            return;
        }
        Duration wait = backoff(failures - threshold);
        Instant until = now.plus(wait);
        jdbc.sql("update sign_in_throttle set blocked_until = :until where key = :key")
                .param("until", Timestamp.from(until))
                .param("key", key)
                .update();
        audit.append(AuditEvent.builder(
                        "signin.locked",
                        AuditActor.system("identity-provider"),
                        new AuditTarget(
                                key.startsWith("account:") ? "local-account" : "client-address",
                                key.startsWith("account:")
                                        ? (name.isEmpty() ? "(empty)" : name)
                                        : String.valueOf(address)))
                .decision("DENY")
                .reason("SIGN_IN_THROTTLED")
                .outcome(Outcome.MINOR_FAILURE)
                .detail("failures", failures)
                .detail("waitSeconds", wait.toSeconds())
                .detail("address", address)
                .detail("until", until.toString())
                .build());
    }

    /** {@code backoff · 2^extra}, at most {@code maxBackoff}. */
    Duration backoff(int extra) {
        Duration wait = settings.backoff();
        for (int i = 0; i < extra && wait.compareTo(settings.maxBackoff()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : wait;
    }

    private static List<String> keys(String username, @Nullable String address) {
        return address == null
                ? List.of("account:" + name(username))
                : List.of("account:" + name(username), "address:" + address);
    }

    /** Case does not make a new account to guess at: {@code Ada.Admin} and {@code ada.admin} share a count. */
    static String name(@Nullable String username) {
        String name = username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
        return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
    }
}
