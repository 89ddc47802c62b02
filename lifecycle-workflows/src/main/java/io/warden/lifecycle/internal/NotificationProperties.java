package io.warden.lifecycle.internal;

import io.warden.registry.Role;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The delivery of notifications, under {@code warden.notifications}. E-mail goes out only when Spring's mail
 * support is configured ({@code spring.mail.host}); Teams only when switched on here.
 *
 * @param pollInterval how often each instance looks for notifications to deliver
 * @param batchSize    deliveries one instance works through per poll
 * @param maxAttempts  attempts per notification and channel before it is given up as failed
 * @param firstRetry   the wait after the first failure; it doubles with each further failure
 * @param longestRetry the longest wait between attempts
 * @param portalUrl    the portal's address people open from a message ({@code https://warden.example.org}); the
 *                     messages carry the subject, the deadline and this link, never the notice's body
 * @param roleMembers  directory ids of the people a {@code role:<ROLE>} notice reaches, per role, instead of those
 *                     the identity provider says hold the role
 * @param mail         e-mail
 * @param teams        Microsoft Teams activity notifications through Graph
 */
@ConfigurationProperties("warden.notifications")
record NotificationProperties(
        @DefaultValue("PT10S") Duration pollInterval,
        @DefaultValue("20") int batchSize,
        @DefaultValue("8") int maxAttempts,
        @DefaultValue("PT30S") Duration firstRetry,
        @DefaultValue("PT1H") Duration longestRetry,
        @DefaultValue("http://localhost:8080") URI portalUrl,
        @DefaultValue Map<String, List<String>> roleMembers,
        @DefaultValue Mail mail,
        @DefaultValue Teams teams) {

    NotificationProperties {
        if (maxAttempts < 1 || maxAttempts > 50) {
            throw new IllegalArgumentException(
                    "warden.notifications.max-attempts is between 1 and 50, got " + maxAttempts);
        }
        if (batchSize < 1 || batchSize > 1000) {
            throw new IllegalArgumentException(
                    "warden.notifications.batch-size is between 1 and 1000, got " + batchSize);
        }
        if (firstRetry.isNegative() || firstRetry.isZero() || longestRetry.compareTo(firstRetry) < 0) {
            throw new IllegalArgumentException("warden.notifications.first-retry is positive and at most"
                    + " warden.notifications.longest-retry; got " + firstRetry + " and " + longestRetry);
        }
        roleMembers = Map.copyOf(roleMembers);
        requireRoles("warden.notifications.role-members", roleMembers.keySet());
    }

    /** The people a role's notices reach, none when not configured. */
    List<String> membersOf(String role) {
        return roleMembers().getOrDefault(role, List.of());
    }

    /**
     * @param enabled      false keeps e-mail off even where {@code spring.mail.host} is set
     * @param from         the sender address
     * @param roleAddresses a shared mailbox per role ({@code COMPLIANCE: compliance@example.org}); a role with one
     *                     gets its notices there instead of one message per member
     */
    record Mail(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("warden@localhost") String from,
            @DefaultValue Map<String, String> roleAddresses) {

        Mail {
            roleAddresses = Map.copyOf(roleAddresses);
            requireRoles("warden.notifications.mail.role-addresses", roleAddresses.keySet());
        }
    }

    /**
     * @param enabled      send each notice as a Teams activity notification (Graph {@code sendActivityNotification},
     *                     application permission {@code TeamsActivity.Send}); needs the Graph client
     *                     ({@code warden.graph.*}) and Warden's Teams app installed for the recipients
     * @param teamsAppId   the Teams app's id, when the manifest is not tied to Warden's app registration
     * @param activityType the activity type declared in the Teams app's manifest
     */
    record Teams(
            @DefaultValue("false") boolean enabled,
            @Nullable String teamsAppId,
            @DefaultValue("wardenNotice") String activityType) {}

    private static void requireRoles(String property, Set<String> keys) {
        for (String key : keys) {
            try {
                Role.valueOf(key);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        property + " is keyed by role (ADMIN, OWNER, COMPLIANCE," + " SECOPS), got " + key, e);
            }
        }
    }
}
