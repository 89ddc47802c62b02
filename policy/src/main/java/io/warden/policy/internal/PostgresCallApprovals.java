package io.warden.policy.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.ApprovalRequired;
import io.warden.policy.CallApproval;
import io.warden.policy.CallApprovalDesk;
import io.warden.policy.CallApprovalRefused;
import io.warden.policy.OnBehalfOf;
import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Per-call approvals in PostgreSQL ({@code call_approval}, V21_31). The gateway parks a call ({@link #park}), a person
 * decides it ({@link #approve}, {@link #deny}), and the agent's resubmission uses it once ({@link #consume}: one
 * conditional {@code UPDATE}, so of two racing calls exactly one gets it). Every step is audited in the same
 * transaction as its row change: when the audit record cannot be written the change is rolled back. Time comes from
 * the injected clock, so expiry is exact and testable. Thread-safe.
 */
final class PostgresCallApprovals implements PeopleInTheLoop.CallApprovals, CallApprovalDesk {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, @Nullable Object>> SHOWN = new TypeReference<>() {};
    static final int MAX_REASON = 2000;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final AuditLog audit;
    private final Clock clock;
    private final IdGenerator ids;
    private final AgentQueries agents;
    private final CatalogQueries catalog;
    private final Directory directory;
    private final Duration ttl;
    private final URI portal;

    PostgresCallApprovals(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            AuditLog audit,
            Clock clock,
            IdGenerator ids,
            AgentQueries agents,
            CatalogQueries catalog,
            Directory directory,
            ApprovalProperties settings) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
        this.agents = agents;
        this.catalog = catalog;
        this.directory = directory;
        this.ttl = settings.ttl();
        this.portal = settings.portalUrl();
    }

    // ---- the gateway's port ---------------------------------------------------------------------------------

    @Override
    public ApprovalRequired park(PeopleInTheLoop.Pending call) {
        UUID id = ids.generateId();
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        // a scope reclassified as PHI after the call was parked still needs compliance: the desk reads both
        boolean phi = scopeHoldsPhi(call.dataset());
        OnBehalfOf person = call.person();
        transactions.executeWithoutResult(status -> {
            jdbc.sql("""
                    insert into call_approval (id, client_id, agent_id, agent_name, tool, dataset, phi, purpose, digest,
                        shown, person_id, delegation, justification, edge, trace_id, state, created_at, expires_at)
                    values (:id, :clientId, :agentId, :agentName, :tool, :dataset, :phi, :purpose, :digest,
                        cast(:shown as jsonb), :personId, :delegation, :justification, :edge, :traceId, 'PENDING',
                        :now, :expires)""")
                    .param("id", id)
                    .param("clientId", call.clientId())
                    .param("agentId", call.agentId())
                    .param("agentName", call.agentName())
                    .param("tool", call.tool())
                    .param("dataset", call.dataset())
                    .param("phi", phi)
                    .param("purpose", call.purposeOfUse())
                    .param("digest", call.digest())
                    .param("shown", JSON.writeValueAsString(call.shown()))
                    .param("personId", person == null ? null : person.personId())
                    .param("delegation", person == null ? null : person.via())
                    .param("justification", call.justification())
                    .param("edge", call.edge().name())
                    .param("traceId", call.traceId())
                    .param("now", Timestamp.from(now))
                    .param("expires", Timestamp.from(expires))
                    .update();
            var builder = callEvent("approval.requested", AuditActor.agent(call.clientId(), null), id.toString(), call)
                    .detail("expiresAt", expires.toString())
                    .detail("phi", phi);
            audit.append(builder.build()); // throws: the row is rolled back, the call is refused, never served
        });
        return new ApprovalRequired(id.toString(), link(id.toString()), expires);
    }

    @Override
    public boolean valid(String approvalId, PeopleInTheLoop.Pending call) {
        UUID id = uuid(approvalId);
        if (id == null) {
            return false;
        }
        return jdbc.sql("""
                        select count(*) from call_approval
                        where id = :id and state = 'APPROVED' and expires_at > :now and client_id = :clientId
                            and agent_id = :agentId and tool = :tool and dataset = :dataset and digest = :digest""").params(binding(id, call)).query(Long.class).single() == 1;
    }

    @Override
    public boolean consume(String approvalId, PeopleInTheLoop.Pending call) {
        UUID id = uuid(approvalId);
        if (id == null) {
            return false;
        }
        Boolean used = transactions.execute(status -> {
            int updated = jdbc.sql("""
                            update call_approval set state = 'USED', used_at = :now
                            where id = :id and state = 'APPROVED' and expires_at > :now and client_id = :clientId
                                and agent_id = :agentId and tool = :tool and dataset = :dataset
                                and digest = :digest""").params(binding(id, call)).update();
            if (updated != 1) {
                return false;
            }
            audit.append(callEvent("approval.used", AuditActor.agent(call.clientId(), null), id.toString(), call)
                    .build());
            return true;
        });
        return Boolean.TRUE.equals(used);
    }

    private Map<String, Object> binding(UUID id, PeopleInTheLoop.Pending call) {
        return Map.of(
                "id", id,
                "now", Timestamp.from(clock.instant()),
                "clientId", call.clientId(),
                "agentId", call.agentId(),
                "tool", call.tool(),
                "dataset", call.dataset(),
                "digest", call.digest());
    }

    private static AuditEvent.Builder callEvent(
            String action, AuditActor actor, String id, PeopleInTheLoop.Pending call) {
        var builder = AuditEvent.builder(action, actor, new AuditTarget("call-approval", id))
                .agent(call.clientId())
                .tool(call.tool())
                .dataset(call.dataset())
                .purposeOfUse(call.purposeOfUse())
                .requestDigest(call.digest())
                .correlationId(call.traceId())
                .detail("approval", id)
                .detail("edge", call.edge());
        if (call.person() != null) {
            builder.detail("onBehalfOf", call.person().personId())
                    .detail("delegation", call.person().via());
        }
        return builder;
    }

    // ---- the approvers' desk --------------------------------------------------------------------------------

    /** One stored row, before it is shown to a particular person. */
    private record Row(
            UUID id,
            String state,
            String clientId,
            String agentId,
            String agentName,
            String tool,
            String dataset,
            boolean phi,
            @Nullable String purpose,
            String digest,
            Map<String, @Nullable Object> shown,
            @Nullable String personId,
            @Nullable String delegation,
            @Nullable String justification,
            @Nullable String traceId,
            Instant createdAt,
            Instant expiresAt,
            @Nullable String decidedBy,
            @Nullable Instant decidedAt,
            @Nullable String reason,
            @Nullable Instant usedAt) {}

    @Override
    public List<CallApproval> calls(Actor viewer, int limit) {
        int size = Math.clamp(limit, 1, 500);
        List<Row> rows = jdbc.sql("""
                        select * from call_approval
                        order by (state = 'PENDING' and expires_at > :now) desc, created_at desc
                        limit :limit""")
                .param("now", Timestamp.from(clock.instant()))
                .param("limit", size)
                .query(PostgresCallApprovals::map)
                .list();
        List<CallApproval> visible = new ArrayList<>();
        for (Row row : rows) {
            if (maySee(viewer, row)) {
                visible.add(view(row, viewer));
            }
        }
        return visible;
    }

    @Override
    public int waiting(Actor viewer) {
        if (!viewer.has(Role.COMPLIANCE) && !viewer.has(Role.ADMIN)) {
            return 0; // no query for who decides nothing: the portal asks on every page
        }
        List<Row> pending = jdbc.sql("""
                        select * from call_approval where state = 'PENDING' and expires_at > :now
                        order by created_at desc limit 500""")
                .param("now", Timestamp.from(clock.instant()))
                .query(PostgresCallApprovals::map)
                .list();
        int waiting = 0;
        for (Row row : pending) {
            if (maySee(viewer, row) && cannotDecide(viewer, row) == null) {
                waiting++;
            }
        }
        return waiting;
    }

    @Override
    public CallApproval call(String id, Actor viewer) {
        Row row = find(id).filter(found -> maySee(viewer, found)).orElseThrow(CallApprovalRefused::notFound);
        return view(row, viewer);
    }

    @Override
    public CallApproval approve(String id, String reason, Actor actor) {
        return decide(id, reason, actor, true);
    }

    @Override
    public CallApproval deny(String id, String reason, Actor actor) {
        return decide(id, reason, actor, false);
    }

    private CallApproval decide(String id, String reason, Actor actor, boolean approve) {
        String why = reason.strip();
        if (why.isEmpty() || why.length() > MAX_REASON) {
            throw new CallApprovalRefused(
                    "invalid-reason",
                    ProblemKind.INVALID,
                    "reason",
                    "Give a reason for the decision, at most " + MAX_REASON + " characters");
        }
        Row row = find(id).filter(found -> maySee(actor, found)).orElseThrow(CallApprovalRefused::notFound);
        String refusal = cannotDecide(actor, row);
        if (refusal != null) {
            throw new CallApprovalRefused("not-permitted", ProblemKind.FORBIDDEN, null, refusal);
        }
        Instant now = clock.instant();
        transactions.executeWithoutResult(status -> {
            int updated = jdbc.sql("""
                            update call_approval set state = :state, decided_by = :actor, decided_at = :now,
                                reason = :reason
                            where id = :id and state = 'PENDING' and expires_at > :now""")
                    .param("state", approve ? "APPROVED" : "DENIED")
                    .param("actor", actor.id())
                    .param("now", Timestamp.from(now))
                    .param("reason", why)
                    .param("id", row.id())
                    .update();
            if (updated != 1) {
                Row current = find(id).orElseThrow(CallApprovalRefused::notFound);
                if (current.state().equals("PENDING")) {
                    // lapsed while nobody decided: recorded as such, so the inbox and the trail agree
                    jdbc.sql("update call_approval set state = 'EXPIRED' where id = :id and state = 'PENDING'")
                            .param("id", row.id())
                            .update();
                    audit.append(rowEvent("approval.expired", AuditActor.system("policy"), current)
                            .build());
                    return;
                }
                if (current.state().equals("EXPIRED")) {
                    return; // refused below as expired
                }
                throw new CallApprovalRefused(
                        "not-pending",
                        ProblemKind.CONFLICT,
                        null,
                        "This call was already decided (" + current.state() + "); it cannot be decided again");
            }
            audit.append(rowEvent(approve ? "approval.granted" : "approval.denied", AuditActor.person(actor.id()), row)
                    .detail("reason", why.length() <= 256 ? why : why.substring(0, 256))
                    .build());
        });
        Row decided = find(id).orElseThrow(CallApprovalRefused::notFound);
        if (decided.state().equals("EXPIRED")) {
            throw new CallApprovalRefused(
                    "expired",
                    ProblemKind.CONFLICT,
                    null,
                    "This call's approval lapsed at " + decided.expiresAt() + "; the agent must make the call again");
        }
        return view(decided, actor);
    }

    private static AuditEvent.Builder rowEvent(String action, AuditActor actor, Row row) {
        var builder = AuditEvent.builder(
                        action, actor, new AuditTarget("call-approval", row.id().toString()))
                .agent(row.clientId())
                .tool(row.tool())
                .dataset(row.dataset())
                .purposeOfUse(row.purpose())
                .requestDigest(row.digest())
                .correlationId(row.traceId())
                .detail("approval", row.id().toString());
        if (row.personId() != null) {
            builder.detail("onBehalfOf", row.personId()).detail("delegation", row.delegation());
        }
        return builder;
    }

    /**
     * Who may read a parked call's arguments: for a PHI scope they are PHI, so compliance alone; otherwise an
     * administrator or compliance.
     */
    private boolean maySee(Actor viewer, Row row) {
        if (phi(row)) {
            return viewer.has(Role.COMPLIANCE);
        }
        return viewer.has(Role.COMPLIANCE) || viewer.has(Role.ADMIN);
    }

    /** Segregation of duties: nobody approves their own agent's call, nor a call made on their own behalf. */
    private @Nullable String cannotDecide(Actor actor, Row row) {
        if (!maySee(actor, row)) {
            return phi(row)
                    ? "It reads PHI: a compliance officer must decide."
                    : "Only administrators and compliance officers decide calls.";
        }
        if (actor.id().equals(row.personId())) {
            return "The call is made on your behalf: someone else must decide.";
        }
        String owner = owner(row);
        if (owner == null || actor.id().equals(owner)) {
            return owner == null
                    ? "The agent that made the call is no longer registered."
                    : "You own the agent that made the call: someone else must decide.";
        }
        return null;
    }

    private boolean phi(Row row) {
        return row.phi() || scopeHoldsPhi(row.dataset());
    }

    /** Whether the scope holds PHI now; an unreadable or removed scope counts as PHI (the stricter rule). */
    private boolean scopeHoldsPhi(String dataset) {
        try {
            return catalog.dataScope(dataset).phi();
        } catch (RegistryException.NotFound e) {
            return true;
        }
    }

    private @Nullable String owner(Row row) {
        try {
            return agents.get(new AgentId(UUID.fromString(row.agentId()))).ownerId();
        } catch (RegistryException.NotFound | IllegalArgumentException e) {
            return null;
        }
    }

    private CallApproval view(Row row, Actor viewer) {
        Instant now = clock.instant();
        boolean lapsed = !now.isBefore(row.expiresAt());
        String state =
                lapsed && (row.state().equals("PENDING") || row.state().equals("APPROVED")) ? "EXPIRED" : row.state();
        String cannotDecide = !row.state().equals("PENDING") || lapsed
                ? "This call is " + state.toLowerCase(Locale.ROOT) + ": there is nothing to decide."
                : cannotDecide(viewer, row);
        String personName = row.personId() == null
                ? null
                : directory
                        .findUser(row.personId())
                        .map(DirectoryUser::displayName)
                        .orElse(row.personId());
        return new CallApproval(
                row.id().toString(),
                state,
                row.clientId(),
                row.agentId(),
                row.agentName(),
                row.tool(),
                row.dataset(),
                phi(row),
                row.purpose(),
                row.digest(),
                row.shown(),
                row.personId(),
                personName,
                row.justification(),
                row.createdAt(),
                row.expiresAt(),
                row.decidedBy(),
                row.decidedAt(),
                row.reason(),
                row.usedAt(),
                link(row.id().toString()),
                cannotDecide);
    }

    private Optional<Row> find(String id) {
        UUID uuid = uuid(id);
        if (uuid == null) {
            return Optional.empty();
        }
        return jdbc.sql("select * from call_approval where id = :id")
                .param("id", uuid)
                .query(PostgresCallApprovals::map)
                .optional();
    }

    private URI link(String id) {
        String base = portal.toString();
        return URI.create(
                (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/portal/approvals/calls/" + id);
    }

    private static @Nullable UUID uuid(String id) {
        try {
            return id.length() == 36 ? UUID.fromString(id) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    private static Row map(ResultSet rs, int row) throws SQLException {
        return new Row(
                rs.getObject("id", UUID.class),
                rs.getString("state"),
                rs.getString("client_id"),
                rs.getString("agent_id"),
                rs.getString("agent_name"),
                rs.getString("tool"),
                rs.getString("dataset"),
                rs.getBoolean("phi"),
                rs.getString("purpose"),
                rs.getString("digest"),
                JSON.readValue(rs.getString("shown"), SHOWN),
                rs.getString("person_id"),
                rs.getString("delegation"),
                rs.getString("justification"),
                rs.getString("trace_id"),
                Objects.requireNonNull(instant(rs, "created_at")),
                Objects.requireNonNull(instant(rs, "expires_at")),
                rs.getString("decided_by"),
                instant(rs, "decided_at"),
                rs.getString("reason"),
                instant(rs, "used_at"));
    }
}
