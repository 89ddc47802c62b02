package io.warden.app.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The production-hardening switches under {@code warden.security}. The defaults suit a workstation; the
 * {@code prod} profile turns the protections on (see {@code application.yml}).
 *
 * @param protectOperationsEndpoints put metrics, other non-health actuator endpoints and the OpenAPI pages
 *                   behind authentication; health stays open for probes and shows no components to strangers
 * @param scrapeToken a bearer token that Prometheus may present for {@code /actuator/prometheus} only (at least
 *                   32 characters; compared in constant time); without it only ADMIN and SECOPS tokens may scrape
 * @param portalRoleRefresh how often an open portal session re-reads the person's roles and account state; a role
 *                   removed, or an account disabled, takes effect in open sessions within this (at most one minute)
 * @param signIn     throttling of the embedded provider's sign-in form
 */
@ConfigurationProperties("warden.security")
public record HardeningProperties(
        @DefaultValue("false") boolean protectOperationsEndpoints,
        @Nullable String scrapeToken,
        @DefaultValue("PT1M") Duration portalRoleRefresh,
        @DefaultValue SignIn signIn) {

    public HardeningProperties {
        if (portalRoleRefresh.isNegative() || portalRoleRefresh.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException(
                    "warden.security.portal-role-refresh must be between PT0S and PT1M, got " + portalRoleRefresh);
        }
        if (scrapeToken != null && scrapeToken.isBlank()) {
            scrapeToken = null;
        }
        if (scrapeToken != null && scrapeToken.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException(
                    "warden.security.scrape-token must be at least 32 characters (a random secret)");
        }
    }

    /**
     * Sign-in throttling, per account (the name as typed, known or not) and per client address.
     *
     * @param accountMaxFailures failures in a row on one account before it waits
     * @param addressMaxFailures failures in a row from one address before it waits (higher: several people may
     *                           share a proxy's or a ward's address)
     * @param backoff            the first wait; each further failure doubles it
     * @param maxBackoff         the longest wait
     * @param forgetAfter        failures older than this no longer count
     */
    public record SignIn(
            @DefaultValue("5") int accountMaxFailures,
            @DefaultValue("20") int addressMaxFailures,
            @DefaultValue("PT30S") Duration backoff,
            @DefaultValue("PT15M") Duration maxBackoff,
            @DefaultValue("PT1H") Duration forgetAfter) {

        public SignIn {
            if (accountMaxFailures < 1 || addressMaxFailures < 1) {
                throw new IllegalArgumentException("warden.security.sign-in.*-max-failures must be at least 1");
            }
            if (backoff.isNegative() || backoff.isZero() || maxBackoff.compareTo(backoff) < 0) {
                throw new IllegalArgumentException(
                        "warden.security.sign-in.backoff must be positive and at most max-backoff, got " + backoff
                                + " and " + maxBackoff);
            }
            if (forgetAfter.compareTo(maxBackoff) < 0) {
                throw new IllegalArgumentException(
                        "warden.security.sign-in.forget-after must be at least max-backoff, got " + forgetAfter);
            }
        }
    }
}
