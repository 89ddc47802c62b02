package io.warden.lifecycle.internal;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import java.sql.Timestamp;
import java.time.Clock;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.IdGenerator;

/**
 * What the processes tell people: kept in {@code notification} for the portal to show its recipient (a
 * person's directory id, or {@code role:<ROLE>} for everyone holding the role), and audited.
 */
final class Notifications {

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final Clock clock;
    private final IdGenerator ids;

    public Notifications(JdbcClient jdbc, AuditLog audit, Clock clock, IdGenerator ids) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
    }

    void send(String recipient, String agentId, String process, String subject, String body) {
        jdbc.sql("""
                insert into notification (id, recipient, agent_id, process, subject, body, created_at)
                values (:id, :recipient, :agent, :process, :subject, :body, :at)""")
                .param("id", ids.generateId())
                .param("recipient", recipient)
                .param("agent", agentId)
                .param("process", process)
                .param("subject", subject)
                .param("body", body)
                .param("at", Timestamp.from(clock.instant()))
                .update();
        audit.append(AuditEvent.builder("workflow.notified", JobDispatcher.ACTOR, new AuditTarget("agent", agentId))
                .agent(agentId)
                .detail("recipient", recipient)
                .detail("process", process)
                .detail("subject", subject)
                .build());
    }
}
