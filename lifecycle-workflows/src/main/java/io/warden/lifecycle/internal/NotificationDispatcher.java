package io.warden.lifecycle.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers written notifications on every channel switched on, on any number of instances. Each delivery row is
 * taken with {@code FOR UPDATE SKIP LOCKED} and kept locked until its outcome is written in the same transaction, so
 * two instances never send the same row; the addresses served are recorded, so a retry after a partial failure sends
 * only to those who got nothing. A failure waits {@code first-retry}, doubling up to {@code longest-retry}; after
 * {@code max-attempts} the delivery is given up. The outcome is audited ({@code notification.delivered},
 * {@code notification.failed}) with the recipient, channel and attempts, never the notice's text or addresses.
 *
 * <p>A crash between sending and committing sends that address again on the next attempt: a message twice is
 * preferred to a deadline nobody heard of. Mail carries {@code X-Warden-Notification} so a reader can tell.
 */
final class NotificationDispatcher {

    static final AuditActor ACTOR = AuditActor.system("notifications");
    private static final Logger log = LoggerFactory.getLogger(NotificationDispatcher.class);
    private static final int MAX_ERROR = 200;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Map<String, NotificationChannel> channels;
    private final AuditLog audit;
    private final Clock clock;
    private final NotificationProperties properties;

    NotificationDispatcher(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            List<NotificationChannel> channels,
            AuditLog audit,
            Clock clock,
            NotificationProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.channels =
                channels.stream().collect(Collectors.toUnmodifiableMap(NotificationChannel::name, Function.identity()));
        this.audit = audit;
        this.clock = clock;
        this.properties = properties;
    }

    /** The channels this dispatcher delivers on; the rows written for each notice. */
    List<String> channelNames() {
        return channels.keySet().stream().sorted().toList();
    }

    @Scheduled(
            initialDelayString = "${warden.notifications.poll-interval:PT10S}",
            fixedDelayString = "${warden.notifications.poll-interval:PT10S}")
    void scheduled() {
        if (channels.isEmpty()) {
            return;
        }
        try {
            int done = deliverDue();
            if (done > 0) {
                log.debug("Worked through {} notification deliveries", done);
            }
        } catch (RuntimeException e) {
            log.error("Notification delivery failed; the next poll tries again", e);
        }
    }

    /** Works through up to {@code batch-size} due deliveries; returns how many it took. */
    int deliverDue() {
        int taken = 0;
        while (taken < properties.batchSize() && Boolean.TRUE.equals(transactions.execute(tx -> deliverOne()))) {
            taken++;
        }
        return taken;
    }

    private boolean deliverOne() {
        Instant now = clock.instant();
        Optional<Due> claimed = jdbc.sql("""
                select d.notification_id, d.channel, d.attempts, d.delivered_to, n.recipient, n.agent_id, n.process,
                       n.subject, n.due_at
                  from notification_delivery d join notification n on n.id = d.notification_id
                 where d.state = 'PENDING' and d.next_attempt_at <= :now and d.channel in (:channels)
                 order by d.next_attempt_at
                 limit 1
                   for update of d skip locked""")
                .param("now", Timestamp.from(now))
                .param("channels", channelNames())
                .query(NotificationDispatcher::due)
                .optional();
        if (claimed.isEmpty()) {
            return false;
        }
        Due due = claimed.get();
        NotificationChannel channel =
                Objects.requireNonNull(channels.get(due.channel()), "the query took only known channels");
        List<String> served = new ArrayList<>(due.deliveredTo());
        String error = null;
        try {
            List<String> addresses = channel.addresses(due.recipient());
            if (addresses.isEmpty() && served.isEmpty()) {
                finish(due, "FAILED", served, "no " + channel.name() + " address for " + due.recipient(), now, true);
                return true;
            }
            NotificationChannel.Outgoing outgoing = outgoing(due);
            for (String address : addresses) {
                if (served.contains(address)) {
                    continue;
                }
                try {
                    channel.send(outgoing, address);
                    served.add(address);
                } catch (RuntimeException e) {
                    error = describe(e);
                    log.warn("Could not send notification {} by {}: {}", due.id(), channel.name(), error);
                }
            }
        } catch (RuntimeException e) {
            error = describe(e);
            log.warn("Could not find where to send notification {} by {}: {}", due.id(), channel.name(), error);
        }
        if (error == null) {
            finish(due, "DELIVERED", served, null, now, false);
        } else if (due.attempts() + 1 >= properties.maxAttempts()) {
            finish(due, "FAILED", served, error, now, true);
        } else {
            jdbc.sql("""
                    update notification_delivery
                       set attempts = attempts + 1, last_error = :error, delivered_to = :served,
                           next_attempt_at = :next
                     where notification_id = :id and channel = :channel""")
                    .param("error", error)
                    .param("served", served.toArray(String[]::new))
                    .param("next", Timestamp.from(now.plus(backoff(due.attempts() + 1))))
                    .param("id", due.id())
                    .param("channel", due.channel())
                    .update();
        }
        return true;
    }

    /** After the n-th failure: first-retry × 2^(n-1), at most longest-retry. */
    Duration backoff(int failures) {
        Duration wait = properties.firstRetry();
        for (int i = 1; i < failures && wait.compareTo(properties.longestRetry()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(properties.longestRetry()) > 0 ? properties.longestRetry() : wait;
    }

    // the audit record is written before the outcome commits: if it cannot be written, the row stays due and the
    // outcome is neither lost nor unaudited
    private void finish(
            Due due, String state, List<String> served, @Nullable String error, Instant now, boolean failed) {
        audit.append(AuditEvent.builder(
                        failed ? "notification.failed" : "notification.delivered",
                        ACTOR,
                        new AuditTarget("notification", due.id().toString()))
                .agent(due.agentId())
                .detail("channel", due.channel())
                .detail("recipient", due.recipient())
                .detail("process", due.process() == null ? "" : due.process())
                .detail("attempts", due.attempts() + 1)
                .detail("addresses", served.size())
                .detail("error", error == null ? "" : error)
                .build());
        jdbc.sql("""
                update notification_delivery
                   set state = :state, attempts = attempts + 1, last_error = :error, delivered_to = :served,
                       delivered_at = :at
                 where notification_id = :id and channel = :channel""")
                .param("state", state)
                .param("error", error)
                .param("served", served.toArray(String[]::new))
                .param("at", failed ? null : Timestamp.from(now), Types.TIMESTAMP)
                .param("id", due.id())
                .param("channel", due.channel())
                .update();
    }

    private NotificationChannel.Outgoing outgoing(Due due) {
        String base = properties.portalUrl().toString();
        String link = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/portal/inbox";
        return new NotificationChannel.Outgoing(
                due.id().toString(), due.subject(), due.dueAt() == null ? "" : "Act by " + due.dueAt() + ".", link);
    }

    private static String describe(RuntimeException e) {
        String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return text.length() > MAX_ERROR ? text.substring(0, MAX_ERROR) : text;
    }

    private static Due due(ResultSet rs, int n) throws SQLException {
        Array served = rs.getArray("delivered_to");
        Timestamp dueAt = rs.getTimestamp("due_at");
        return new Due(
                rs.getObject("notification_id", UUID.class),
                rs.getString("channel"),
                rs.getInt("attempts"),
                served == null ? List.of() : Arrays.asList((String[]) served.getArray()),
                rs.getString("recipient"),
                rs.getString("agent_id"),
                rs.getString("process"),
                rs.getString("subject"),
                dueAt == null ? null : dueAt.toInstant());
    }

    private record Due(
            UUID id,
            String channel,
            int attempts,
            List<String> deliveredTo,
            String recipient,
            @Nullable String agentId,
            @Nullable String process,
            String subject,
            @Nullable Instant dueAt) {}
}
