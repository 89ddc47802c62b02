package io.warden.registry.internal;

import static io.warden.registry.internal.SqlArrays.instant;
import static io.warden.registry.internal.SqlArrays.requiredInstant;
import static io.warden.registry.internal.SqlArrays.strings;
import static io.warden.registry.internal.SqlArrays.timestamp;
import static io.warden.registry.internal.SqlArrays.toArray;

import io.warden.registry.AgentFilter;
import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentStatus;
import io.warden.registry.ModelInfo;
import io.warden.registry.Page;
import io.warden.registry.RegistryException;
import io.warden.registry.RiskTier;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Stores {@link Agent}s in the {@code agent} table with optimistic locking on {@code version}. */
@Repository
class AgentRepository {

    private static final String COLUMNS = """
            id, name, kind, purpose, status, owner_id, client_id, model_name, model_version, embedding_dimension,
            risk_tier, requested_scopes, requested_tools, data_scopes, tools, requested_purposes, purposes_of_use,
            demo, created_by, created_at, updated_at, approved_at, last_active_at, recertify_by, version""";

    /** What is read: the columns and the scopes compliance approved the agent to read as PHI. */
    private static final String SELECT = "select " + COLUMNS + ", " + """
            array(select p.scope_key from agent_phi_approval p where p.agent_id = agent.id order by p.scope_key)
                as phi_approved_scopes""";

    private final JdbcClient jdbc;

    AgentRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Agent agent) {
        try {
            jdbc.sql("insert into agent (" + COLUMNS + """
                    ) values (:id, :name, :kind, :purpose, :status, :ownerId, :clientId, :modelName, :modelVersion,
                    :dimension, :riskTier, :requestedScopes, :requestedTools, :dataScopes, :tools, :requestedPurposes,
                    :purposes, :demo, :createdBy, :createdAt, :updatedAt, :approvedAt, :lastActiveAt, :recertifyBy, 1)""")
                    .params(parameters(agent))
                    .update();
        } catch (DuplicateKeyException e) {
            throw duplicate(agent, e);
        }
        agent.versionSaved(1);
        writePhiApprovals(agent);
    }

    /**
     * Writes the agent if nobody else changed it since it was read.
     *
     * @throws RegistryException.StaleVersion when the stored version is not the agent's version
     */
    void update(Agent agent) {
        int updated;
        try {
            updated = jdbc.sql("""
                    update agent set name = :name, purpose = :purpose, status = :status, owner_id = :ownerId,
                        client_id = :clientId, model_name = :modelName, model_version = :modelVersion,
                        embedding_dimension = :dimension, risk_tier = :riskTier, requested_scopes = :requestedScopes,
                        requested_tools = :requestedTools, data_scopes = :dataScopes, tools = :tools,
                        requested_purposes = :requestedPurposes, purposes_of_use = :purposes, updated_at = :updatedAt, approved_at = :approvedAt, last_active_at = :lastActiveAt,
                        recertify_by = :recertifyBy, version = version + 1
                    where id = :id and version = :version""")
                    .params(parameters(agent))
                    .param("version", agent.version())
                    .update();
        } catch (DuplicateKeyException e) {
            throw duplicate(agent, e);
        }
        if (updated != 1) {
            long current = jdbc.sql("select version from agent where id = :id")
                    .param("id", agent.id().value())
                    .query(Long.class)
                    .optional()
                    .orElseThrow(() -> new RegistryException.NotFound("agent", agent.id()));
            throw new RegistryException.StaleVersion("agent", agent.id(), agent.version(), current);
        }
        agent.versionSaved(agent.version() + 1);
        writePhiApprovals(agent);
    }

    /**
     * Brings {@code agent_phi_approval} in line with the agent: approvals for scopes it gave up go, new ones
     * are written (a newer approval of the same scope replaces the older one).
     */
    private void writePhiApprovals(Agent agent) {
        jdbc.sql("delete from agent_phi_approval where agent_id = :id and not (scope_key = any(:kept))")
                .param("id", agent.id().value())
                .param("kept", toArray(agent.phiApprovedScopes()))
                .update();
        for (Agent.PhiApproval approval : agent.drainNewPhiApprovals()) {
            for (String scope : approval.scopes()) {
                jdbc.sql("""
                        insert into agent_phi_approval (agent_id, scope_key, approval_id, approved_by, approved_at)
                        values (:id, :scope, :approvalId, :approvedBy, :approvedAt)
                        on conflict (agent_id, scope_key) do update set approval_id = excluded.approval_id,
                            approved_by = excluded.approved_by, approved_at = excluded.approved_at""")
                        .param("id", agent.id().value())
                        .param("scope", scope)
                        .param("approvalId", approval.approvalId().value())
                        .param("approvedBy", approval.approvedBy())
                        .param("approvedAt", timestamp(approval.approvedAt()))
                        .update();
            }
        }
    }

    void recordLastActivity(AgentId id, Instant at) {
        jdbc.sql("""
                update agent set last_active_at = :at
                where id = :id and (last_active_at is null or last_active_at < :at)""").param("id", id.value()).param("at", timestamp(at)).update();
    }

    Optional<Agent> find(AgentId id) {
        return jdbc.sql(SELECT + " from agent where id = :id")
                .param("id", id.value())
                .query(AgentRepository::map)
                .optional();
    }

    /** Reads the agent and locks its row until the transaction ends, so concurrent decisions serialise. */
    Optional<Agent> findForUpdate(AgentId id) {
        return jdbc.sql(SELECT + " from agent where id = :id for update")
                .param("id", id.value())
                .query(AgentRepository::map)
                .optional();
    }

    Optional<Agent> findByClientId(String clientId) {
        return jdbc.sql(SELECT + " from agent where client_id = :clientId")
                .param("clientId", clientId)
                .query(AgentRepository::map)
                .optional();
    }

    List<AgentId> dormantSince(Instant before) {
        return jdbc.sql("""
                select id from agent where status = 'ACTIVE' and coalesce(last_active_at, approved_at, created_at) < :before""")
                .param("before", Timestamp.from(before))
                .query((rs, row) -> new AgentId(rs.getObject(1, UUID.class)))
                .list();
    }

    List<AgentId> recertificationDue(Instant by) {
        return jdbc.sql("select id from agent where status = 'ACTIVE' and recertify_by <= :by")
                .param("by", Timestamp.from(by))
                .query((rs, row) -> new AgentId(rs.getObject(1, UUID.class)))
                .list();
    }

    Map<AgentId, String> ownersOfLiveAgents() {
        Map<AgentId, String> owners = new HashMap<>();
        jdbc.sql("select id, owner_id from agent where status <> 'RETIRED'")
                .query((rs, row) -> owners.put(new AgentId(rs.getObject(1, UUID.class)), rs.getString(2)))
                .list();
        return owners;
    }

    private static String order(AgentFilter.@Nullable Sort sort) {
        return switch (sort == null ? AgentFilter.Sort.NEWEST : sort) {
            case NEWEST -> "created_at desc, id";
            case NAME -> "lower(name), id";
            case STATUS -> "status, lower(name), id";
            case UPDATED -> "updated_at desc, id";
        };
    }

    Page<Agent> search(AgentFilter filter, int page, int size) {
        StringBuilder where = new StringBuilder(" where true");
        var params = new HashMap<String, Object>();
        if (filter.status() != null) {
            where.append(" and status = :status");
            params.put("status", filter.status().name());
        }
        if (filter.kind() != null) {
            where.append(" and kind = :kind");
            params.put("kind", filter.kind().name());
        }
        if (filter.ownerId() != null) {
            where.append(" and owner_id = :ownerId");
            params.put("ownerId", filter.ownerId());
        }
        if (filter.dataScope() != null) {
            where.append(" and data_scopes @> array[cast(:dataScope as text)]");
            params.put("dataScope", filter.dataScope());
        }
        if (filter.text() != null && !filter.text().isBlank()) {
            where.append(" and (name ilike :text escape '\\' or purpose ilike :text escape '\\')");
            params.put("text", "%" + likeEscape(filter.text().strip()) + "%");
        }
        long total = jdbc.sql("select count(*) from agent" + where)
                .params(params)
                .query(Long.class)
                .single();
        params.put("limit", size);
        params.put("offset", (long) page * size);
        List<Agent> items = new ArrayList<>(jdbc.sql(SELECT + " from agent" + where + " order by "
                        + order(filter.sort()) + " limit :limit offset :offset")
                .params(params)
                .query(AgentRepository::map)
                .list());
        return new Page<>(items, page, size, total);
    }

    private static String likeEscape(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static Map<String, Object> parameters(Agent agent) {
        var params = new HashMap<String, Object>();
        ModelInfo model = agent.model();
        params.put("id", agent.id().value());
        params.put("name", agent.name());
        params.put("kind", agent.kind().name());
        params.put("purpose", agent.purpose());
        params.put("status", agent.status().name());
        params.put("ownerId", agent.ownerId());
        params.put("clientId", agent.clientId());
        params.put("modelName", model == null ? null : model.name());
        params.put("modelVersion", model == null ? null : model.version());
        params.put("dimension", model == null ? null : model.embeddingDimension());
        params.put("riskTier", agent.riskTier().name());
        params.put("requestedScopes", toArray(agent.requestedScopesCopy()));
        params.put("requestedTools", toArray(agent.requestedToolsCopy()));
        params.put("dataScopes", toArray(agent.dataScopes()));
        params.put("tools", toArray(agent.tools()));
        params.put("requestedPurposes", toArray(agent.requestedPurposesCopy()));
        params.put("purposes", toArray(agent.purposes()));
        params.put("demo", agent.demo());
        params.put("createdBy", agent.createdBy());
        params.put("createdAt", timestamp(agent.createdAt()));
        params.put("updatedAt", timestamp(agent.updatedAt()));
        params.put("approvedAt", timestamp(agent.approvedAt()));
        params.put("lastActiveAt", timestamp(agent.lastActiveAt()));
        params.put("recertifyBy", timestamp(agent.recertifyBy()));
        return params;
    }

    private static RegistryException duplicate(Agent agent, DuplicateKeyException e) {
        String message = String.valueOf(e.getMostSpecificCause().getMessage());
        if (message.contains("client_id")) {
            return new RegistryException.AlreadyExists(
                    "clientId", "Another agent already uses client id '" + agent.clientId() + "'");
        }
        return new RegistryException.AlreadyExists(
                "name",
                "An agent named '" + agent.name() + "' already exists (names are unique among agents not retired)");
    }

    private static Agent map(ResultSet rs, int row) throws SQLException {
        String modelName = rs.getString("model_name");
        Integer dimension = (Integer) rs.getObject("embedding_dimension");
        ModelInfo model = modelName == null ? null : new ModelInfo(modelName, rs.getString("model_version"), dimension);
        return new Agent(
                new AgentId(rs.getObject("id", UUID.class)),
                rs.getString("name"),
                AgentKind.valueOf(rs.getString("kind")),
                rs.getString("purpose"),
                AgentStatus.valueOf(rs.getString("status")),
                rs.getString("owner_id"),
                rs.getString("client_id"),
                model,
                RiskTier.valueOf(rs.getString("risk_tier")),
                strings(rs, "requested_scopes"),
                strings(rs, "requested_tools"),
                strings(rs, "data_scopes"),
                strings(rs, "tools"),
                SqlArrays.purposes(rs, "requested_purposes"),
                SqlArrays.purposes(rs, "purposes_of_use"),
                strings(rs, "phi_approved_scopes"),
                rs.getString("created_by"),
                requiredInstant(rs, "created_at"),
                requiredInstant(rs, "updated_at"),
                instant(rs, "approved_at"),
                instant(rs, "last_active_at"),
                instant(rs, "recertify_by"),
                rs.getBoolean("demo"),
                rs.getLong("version"));
    }
}
