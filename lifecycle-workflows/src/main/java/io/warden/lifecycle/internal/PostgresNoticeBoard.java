package io.warden.lifecycle.internal;

import io.warden.lifecycle.Notice;
import io.warden.lifecycle.NoticeBoard;
import io.warden.registry.Actor;
import io.warden.registry.Role;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The notices in {@code notification}, read per person in {@code notification_read}. Thread-safe. */
final class PostgresNoticeBoard implements NoticeBoard {

    static final int MAX = 500;

    private final JdbcClient jdbc;
    private final Clock clock;

    PostgresNoticeBoard(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public List<Notice> notices(Actor viewer, int limit) {
        return jdbc.sql("""
                select n.id, n.recipient, n.agent_id, n.process, n.subject, n.body, n.created_at, n.due_at,
                       r.read_at is not null as read
                  from notification n
                  left join notification_read r on r.notification_id = n.id and r.person_id = :person
                 where n.recipient in (:recipients)
                 order by n.created_at desc, n.id
                 limit :limit""")
                .param("person", viewer.id())
                .param("recipients", recipients(viewer))
                .param("limit", Math.clamp(limit, 1, MAX))
                .query(PostgresNoticeBoard::notice)
                .list();
    }

    @Override
    public int unread(Actor viewer) {
        return jdbc.sql("""
                select count(*) from (
                  select 1 from notification n
                   where n.recipient in (:recipients)
                     and not exists (select 1 from notification_read r
                                      where r.notification_id = n.id and r.person_id = :person)
                   limit :counted) unread""")
                .param("person", viewer.id())
                .param("counted", NoticeBoard.UNREAD_COUNTED)
                .param("recipients", recipients(viewer))
                .query(Integer.class)
                .single();
    }

    @Override
    public int markRead(Actor viewer, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        return jdbc.sql("""
                insert into notification_read (notification_id, person_id, read_at)
                select n.id, :person, :at from notification n
                 where n.id in (:ids) and n.recipient in (:recipients)
                on conflict do nothing""")
                .param("person", viewer.id())
                .param("at", Timestamp.from(clock.instant()))
                .param("ids", List.copyOf(ids))
                .param("recipients", recipients(viewer))
                .update();
    }

    @Override
    public int markAllRead(Actor viewer) {
        return jdbc.sql("""
                insert into notification_read (notification_id, person_id, read_at)
                select n.id, :person, :at from notification n where n.recipient in (:recipients)
                on conflict do nothing""")
                .param("person", viewer.id())
                .param("at", Timestamp.from(clock.instant()))
                .param("recipients", recipients(viewer))
                .update();
    }

    private static List<String> recipients(Actor viewer) {
        List<String> recipients = new ArrayList<>();
        recipients.add(viewer.id());
        for (Role role : viewer.roles()) {
            recipients.add("role:" + role.name());
        }
        return recipients;
    }

    private static Notice notice(ResultSet rs, int n) throws SQLException {
        Timestamp due = rs.getTimestamp("due_at");
        return new Notice(
                rs.getObject("id", UUID.class),
                rs.getString("recipient"),
                rs.getString("agent_id"),
                rs.getString("process"),
                rs.getString("subject"),
                rs.getString("body"),
                rs.getTimestamp("created_at").toInstant(),
                due == null ? null : due.toInstant(),
                rs.getBoolean("read"));
    }
}
