package io.warden.registry.internal;

import io.warden.registry.AgentId;
import io.warden.registry.AgentStatus;
import io.warden.registry.CatalogUsage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Catalogue usage from the {@code agent} table's granted arrays. Scopes are matched through the {@code data_scopes}
 * GIN index; tools have no index of their own, and a scan of the agent table is a few milliseconds at the 10,000
 * agents the portal benchmark sizes for.
 */
@Service
@Transactional(readOnly = true)
class PostgresCatalogUsage implements CatalogUsage {

    private static final String LIVE = "status <> 'RETIRED'";

    private final JdbcClient jdbc;

    PostgresCatalogUsage(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Map<String, Long> agentsPerScope() {
        return counts("data_scopes");
    }

    @Override
    public Map<String, Long> agentsPerTool() {
        return counts("tools");
    }

    @Override
    public Usage agentsWithScope(String scopeKey, int limit) {
        return usage("data_scopes @> array[cast(:keys as text)]", scopeKey, limit);
    }

    @Override
    public Usage agentsWithAnyTool(Collection<String> toolKeys, int limit) {
        if (toolKeys.isEmpty()) {
            checkLimit(limit);
            return new Usage(List.of(), 0);
        }
        return usage("tools && cast(:keys as text[])", SqlArrays.toArray(toolKeys), limit);
    }

    private Map<String, Long> counts(String column) {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.sql("select granted, count(*) from agent, unnest(" + column + ") granted where " + LIVE
                        + " group by granted order by granted")
                .query((ResultSet rs) -> {
                    counts.put(rs.getString(1), rs.getLong(2));
                });
        return counts;
    }

    private Usage usage(String condition, Object keys, int limit) {
        checkLimit(limit);
        long total = jdbc.sql("select count(*) from agent where " + LIVE + " and " + condition)
                .param("keys", keys)
                .query(Long.class)
                .single();
        List<AgentRef> agents = total == 0
                ? List.of()
                : jdbc.sql("select id, name, status from agent where " + LIVE + " and " + condition
                                + " order by lower(name), id limit :limit")
                        .param("keys", keys)
                        .param("limit", limit)
                        .query(PostgresCatalogUsage::ref)
                        .list();
        return new Usage(agents, total);
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be between 1 and 1000, not " + limit);
        }
    }

    private static AgentRef ref(ResultSet rs, int row) throws SQLException {
        return new AgentRef(
                new AgentId(rs.getObject("id", UUID.class)),
                rs.getString("name"),
                AgentStatus.valueOf(rs.getString("status")));
    }
}
