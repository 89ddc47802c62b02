package io.warden.registry.internal;

import static io.warden.registry.internal.SqlArrays.timestamp;

import io.warden.registry.Actor;
import io.warden.registry.EgressAllowlist;
import io.warden.registry.EgressHostView;
import io.warden.registry.RegistryException;
import io.warden.registry.events.EgressHostChanged;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The egress allowlist in PostgreSQL ({@code egress_host}). Each change publishes an {@link EgressHostChanged} in its
 * transaction, which the audit trail records through the event publication registry. {@link #matches} reads the
 * committed list on every call: the list is short, and a host taken off it must stop being reachable at once.
 */
@Service
@Transactional
class PostgresEgressAllowlist implements EgressAllowlist {

    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    PostgresEgressAllowlist(JdbcClient jdbc, ApplicationEventPublisher events, Clock clock) {
        this.jdbc = jdbc;
        this.events = events;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    @Override
    public List<EgressHostView> list() {
        return jdbc.sql("select * from egress_host order by host")
                .query(PostgresEgressAllowlist::row)
                .list();
    }

    @Override
    public EgressHostView add(String host, boolean allowPrivate, String reason, Actor actor) {
        String pattern = Egress.pattern(host);
        String why = reason.strip();
        if (why.isEmpty() || why.length() > 2000) {
            throw new RegistryException.InvalidField("reason", "Say in 1 to 2000 characters why the host is allowed");
        }
        Instant now = clock.instant();
        EgressHostView entry;
        try {
            // the row as stored (microseconds), so the answer equals what later reads return
            entry = jdbc.sql("""
                    insert into egress_host (host, allow_private, reason, created_by, created_at)
                    values (:host, :allowPrivate, :reason, :actor, :now) returning *""")
                    .param("host", pattern)
                    .param("allowPrivate", allowPrivate)
                    .param("reason", why)
                    .param("actor", actor.id())
                    .param("now", timestamp(now))
                    .query(PostgresEgressAllowlist::row)
                    .single();
        } catch (DuplicateKeyException e) {
            throw new RegistryException.AlreadyExists("host", "'" + pattern + "' is already on the egress allowlist");
        }
        events.publishEvent(new EgressHostChanged(entry, true, actor.id(), now));
        return entry;
    }

    @Override
    public void remove(String host, Actor actor) {
        String pattern = Egress.normalize(host.strip());
        EgressHostView entry = jdbc.sql("delete from egress_host where host = :host returning *")
                .param("host", pattern)
                .query(PostgresEgressAllowlist::row)
                .optional()
                .orElseThrow(() -> new RegistryException.NotFound("egress-host", pattern));
        events.publishEvent(new EgressHostChanged(entry, false, actor.id(), clock.instant()));
    }

    @Transactional(readOnly = true)
    @Override
    public Optional<EgressHostView> matches(String host) {
        String normalized = Egress.normalize(host);
        return list().stream()
                .filter(entry -> Egress.covers(entry.host(), normalized))
                // the exact entry first, then the most specific wildcard: the narrowest rule speaks for the host
                .max(Comparator.comparing(
                                (EgressHostView entry) -> !entry.host().startsWith("*."))
                        .thenComparingInt(entry -> entry.host().length()));
    }

    private static EgressHostView row(ResultSet rs, int row) throws SQLException {
        return new EgressHostView(
                rs.getString("host"),
                rs.getBoolean("allow_private"),
                rs.getString("reason"),
                rs.getString("created_by"),
                rs.getTimestamp("created_at").toInstant());
    }
}
