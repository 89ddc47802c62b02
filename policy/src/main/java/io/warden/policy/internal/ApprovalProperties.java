package io.warden.policy.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Per-call approvals.
 *
 * @param ttl       how long a parked call waits for a decision, and how long a granted approval may then be used (it
 *                  expires at the same instant); between one minute and one day
 * @param portalUrl the portal's public address (http or https, absolute): the approval link an agent passes on to a
 *                  person is built on it, never on the caller's Host header
 */
@ConfigurationProperties("warden.approvals")
record ApprovalProperties(@DefaultValue("PT15M") Duration ttl, URI portalUrl) {

    ApprovalProperties {
        if (ttl.compareTo(Duration.ofMinutes(1)) < 0 || ttl.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(
                    "warden.approvals.ttl is between PT1M and P1D (an ISO-8601 duration); got " + ttl);
        }
        if (portalUrl == null
                || !portalUrl.isAbsolute()
                || portalUrl.getHost() == null
                || portalUrl.getRawQuery() != null
                || portalUrl.getRawFragment() != null
                || portalUrl.getRawUserInfo() != null
                || !(portalUrl.getScheme().toLowerCase(Locale.ROOT).equals("https")
                        || portalUrl.getScheme().toLowerCase(Locale.ROOT).equals("http"))) {
            throw new IllegalArgumentException(
                    "Set warden.approvals.portal-url (WARDEN_PORTAL_URL) to the portal's public http(s) address, such"
                            + " as https://warden.example.org; got " + portalUrl);
        }
    }
}
