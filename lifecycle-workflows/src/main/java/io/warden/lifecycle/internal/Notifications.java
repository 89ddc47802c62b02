package io.warden.lifecycle.internal;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.IdGenerator;

/**
 * What the processes tell people: kept in {@code notification} for the portal to show its recipient (a
 * person's directory id, or {@code role:<ROLE>} for everyone holding the role), and audited. Each channel switched
 * on ({@code mail}, {@code teams}) gets a delivery row in the same statement, so a notice written is a notice the
 * {@link NotificationDispatcher} delivers, whichever instance wrote it.
 */
final class Notifications {

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final Clock clock;
    private final IdGenerator ids;
    private final String channels;

    Notifications(JdbcClient jdbc, AuditLog audit, Clock clock, IdGenerator ids, List<String> channels) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
        this.channels = String.join(",", channels);
    }

    void send(String recipient, String agentId, String process, String subject, String body) {
        send(recipient, agentId, process, subject, body, null);
    }

    /** @param dueAt when the recipient must act by, for their inbox; null when the notice asks nothing */
    void send(String recipient, String agentId, String process, String subject, String body, @Nullable Instant dueAt) {
        Instant now = clock.instant();
        jdbc.sql("""
                with written as (
                    insert into notification (id, recipient, agent_id, process, subject, body, created_at, due_at)
                    values (:id, :recipient, :agent, :process, :subject, :body, :at, :due)
                    returning id)
                insert into notification_delivery (notification_id, channel, next_attempt_at)
                select written.id, channel, :at from written, unnest(string_to_array(:channels, ',')) channel""")
                .param("id", ids.generateId())
                .param("recipient", recipient)
                .param("agent", agentId)
                .param("process", process)
                .param("subject", subject)
                .param("body", body)
                .param("at", Timestamp.from(now))
                .param("due", dueAt == null ? null : Timestamp.from(dueAt), Types.TIMESTAMP)
                .param("channels", channels)
                .update();
        audit.append(AuditEvent.builder("workflow.notified", JobDispatcher.ACTOR, new AuditTarget("agent", agentId))
                .agent(agentId)
                .detail("recipient", recipient)
                .detail("process", process)
                .detail("subject", subject)
                .build());
    }
}
