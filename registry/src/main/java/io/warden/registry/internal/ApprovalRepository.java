package io.warden.registry.internal;

import static io.warden.registry.internal.SqlArrays.instant;
import static io.warden.registry.internal.SqlArrays.requiredInstant;
import static io.warden.registry.internal.SqlArrays.strings;
import static io.warden.registry.internal.SqlArrays.timestamp;
import static io.warden.registry.internal.SqlArrays.toArray;

import io.warden.registry.AgentId;
import io.warden.registry.ApprovalId;
import io.warden.registry.ApprovalKind;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.Page;
import io.warden.registry.RegistryException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Stores {@link Approval}s in the {@code approval} table with optimistic locking on {@code version}. */
@Repository
class ApprovalRepository {

    private static final String COLUMNS = """
            id, agent_id, kind, status, add_scopes, remove_scopes, add_tools, remove_tools, add_purposes,
            remove_purposes, justification, requires_compliance, requested_by, requested_at, owners_since_request,
            decided_by, decided_at, decision_reason, version""";

    private final JdbcClient jdbc;

    ApprovalRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Approval approval) {
        try {
            jdbc.sql("insert into approval (" + COLUMNS + """
                    ) values (:id, :agentId, :kind, :status, :addScopes, :removeScopes, :addTools, :removeTools,
                    :addPurposes, :removePurposes, :justification, :requiresCompliance, :requestedBy, :requestedAt,
                    :owners, :decidedBy, :decidedAt, :decisionReason, 1)""")
                    .params(parameters(approval))
                    .update();
        } catch (DuplicateKeyException e) {
            throw new RegistryException.Conflict(
                    "approval-pending",
                    "Agent " + approval.agentId() + " already has a pending approval; wait for its decision");
        }
        approval.versionSaved(1);
    }

    void update(Approval approval) {
        int updated = jdbc.sql("""
                update approval set status = :status, decided_by = :decidedBy, decided_at = :decidedAt,
                    decision_reason = :decisionReason, requires_compliance = :requiresCompliance,
                    owners_since_request = :owners, version = version + 1
                where id = :id and version = :version""")
                .params(parameters(approval))
                .param("version", approval.version())
                .update();
        if (updated != 1) {
            throw new RegistryException.Conflict(
                    "approval-changed", "Approval " + approval.id() + " was changed by someone else; reload it");
        }
        approval.versionSaved(approval.version() + 1);
    }

    Optional<Approval> find(ApprovalId id) {
        return jdbc.sql("select " + COLUMNS + " from approval where id = :id")
                .param("id", id.value())
                .query(ApprovalRepository::map)
                .optional();
    }

    Optional<Approval> findPending(AgentId agentId) {
        return jdbc.sql("select " + COLUMNS + " from approval where agent_id = :agentId and status = 'PENDING'")
                .param("agentId", agentId.value())
                .query(ApprovalRepository::map)
                .optional();
    }

    /** The most recently decided approval of this kind and outcome for the agent. */
    Optional<Approval> findLatest(AgentId agentId, ApprovalKind kind, ApprovalStatus status) {
        return jdbc.sql("select " + COLUMNS
                        + " from approval where agent_id = :agentId and kind = :kind and status = :status"
                        + " order by decided_at desc nulls last, requested_at desc limit 1")
                .param("agentId", agentId.value())
                .param("kind", kind.name())
                .param("status", status.name())
                .query(ApprovalRepository::map)
                .optional();
    }

    /**
     * A data scope was saved as PHI or highly confidential: approvals still waiting that add it, or that add
     * purposes for an agent holding it while it holds PHI, now need a compliance officer. The decision checks
     * again; this keeps the inbox honest in the meantime.
     */
    int requireComplianceForPending(String scopeKey, boolean phi) {
        return jdbc.sql("""
                update approval a set requires_compliance = true, version = version + 1
                where a.status = 'PENDING' and not a.requires_compliance
                  and (cast(:key as text) = any(a.add_scopes)
                       or (:phi and cardinality(a.add_purposes) > 0
                           and exists (select 1 from agent g where g.id = a.agent_id and cast(:key as text) = any(g.data_scopes))))""").param("key", scopeKey).param("phi", phi).update();
    }

    Page<Approval> search(@Nullable ApprovalStatus status, @Nullable AgentId agentId, int page, int size) {
        StringBuilder where = new StringBuilder(" where true");
        Map<String, Object> params = new HashMap<>();
        if (status != null) {
            where.append(" and status = :status");
            params.put("status", status.name());
        }
        if (agentId != null) {
            where.append(" and agent_id = :agentId");
            params.put("agentId", agentId.value());
        }
        long total = jdbc.sql("select count(*) from approval" + where)
                .params(params)
                .query(Long.class)
                .single();
        params.put("limit", size);
        params.put("offset", (long) page * size);
        List<Approval> items = jdbc.sql("select " + COLUMNS + " from approval" + where
                        + " order by requested_at desc, id limit :limit offset :offset")
                .params(params)
                .query(ApprovalRepository::map)
                .list();
        return new Page<>(items, page, size, total);
    }

    private static Map<String, Object> parameters(Approval approval) {
        Map<String, Object> params = new HashMap<>();
        params.put("id", approval.id().value());
        params.put("agentId", approval.agentId().value());
        params.put("kind", approval.kind().name());
        params.put("status", approval.status().name());
        params.put("addScopes", toArray(approval.addScopes()));
        params.put("removeScopes", toArray(approval.removeScopes()));
        params.put("addTools", toArray(approval.addTools()));
        params.put("removeTools", toArray(approval.removeTools()));
        params.put("addPurposes", toArray(approval.addPurposes()));
        params.put("removePurposes", toArray(approval.removePurposes()));
        params.put("owners", toArray(approval.ownersSinceRequest()));
        params.put("justification", approval.justification());
        params.put("requiresCompliance", approval.requiresCompliance());
        params.put("requestedBy", approval.requestedBy());
        params.put("requestedAt", timestamp(approval.requestedAt()));
        params.put("decidedBy", approval.decidedBy());
        params.put("decidedAt", timestamp(approval.decidedAt()));
        params.put("decisionReason", approval.decisionReason());
        return params;
    }

    private static Approval map(ResultSet rs, int row) throws SQLException {
        return new Approval(
                new ApprovalId(rs.getObject("id", UUID.class)),
                new AgentId(rs.getObject("agent_id", UUID.class)),
                ApprovalKind.valueOf(rs.getString("kind")),
                ApprovalStatus.valueOf(rs.getString("status")),
                strings(rs, "add_scopes"),
                strings(rs, "remove_scopes"),
                strings(rs, "add_tools"),
                strings(rs, "remove_tools"),
                SqlArrays.purposes(rs, "add_purposes"),
                SqlArrays.purposes(rs, "remove_purposes"),
                rs.getString("justification"),
                rs.getBoolean("requires_compliance"),
                rs.getString("requested_by"),
                requiredInstant(rs, "requested_at"),
                strings(rs, "owners_since_request"),
                rs.getString("decided_by"),
                instant(rs, "decided_at"),
                rs.getString("decision_reason"),
                rs.getLong("version"));
    }
}
