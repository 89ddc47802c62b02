package io.warden.registry.internal;

import static io.warden.registry.internal.SqlArrays.strings;
import static io.warden.registry.internal.SqlArrays.timestamp;
import static io.warden.registry.internal.SqlArrays.toArray;

import io.warden.registry.BackendKind;
import io.warden.registry.Commands;
import io.warden.registry.DataScopeView;
import io.warden.registry.RegistryException;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Stores the catalogue agents are granted from: data scopes and tools. */
@Repository
class CatalogRepository {

    /** An MCP tool's PHI approval is its server's: the join keeps the two from disagreeing. */
    private static final String SELECT_TOOL = """
            select t.*, m.phi_approved as mcp_phi_approved from tool t left join mcp_server m on m.key = t.mcp_server""";

    private final JdbcClient jdbc;

    CatalogRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insertScope(String key, Commands.SaveDataScope scope, boolean demo, Instant now) {
        try {
            jdbc.sql("""
                    insert into data_scope (key, display_name, description, sensitivity, phi, deidentified,
                        allowed_purposes, deidentify_for, demo, created_at, updated_at, version, approval_required)
                    values (:key, :displayName, :description, :sensitivity, :phi, :deidentified, :purposes,
                        :deidentifyFor, :demo, :now, :now, 1, :approvalRequired)""")
                    .param("approvalRequired", scope.approvalRequired())
                    .param("key", key)
                    .param("displayName", scope.displayName())
                    .param("description", scope.description())
                    .param("sensitivity", scope.sensitivity().name())
                    .param("phi", scope.phi())
                    .param("deidentified", scope.deidentified())
                    .param("purposes", toArray(scope.allowedPurposes()))
                    .param("deidentifyFor", toArray(scope.deidentifyFor()))
                    .param("demo", demo)
                    .param("now", timestamp(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw new RegistryException.AlreadyExists("key", "A data scope with key '" + key + "' already exists");
        }
    }

    /** @return the new version */
    long updateScope(String key, Commands.SaveDataScope scope, long version, Instant now) {
        int updated = jdbc.sql("""
                update data_scope set display_name = :displayName, description = :description,
                    sensitivity = :sensitivity, phi = :phi, deidentified = :deidentified,
                    allowed_purposes = :purposes, deidentify_for = :deidentifyFor, updated_at = :now,
                    approval_required = :approvalRequired, version = version + 1
                where key = :key and version = :version""")
                .param("approvalRequired", scope.approvalRequired())
                .param("key", key)
                .param("displayName", scope.displayName())
                .param("description", scope.description())
                .param("sensitivity", scope.sensitivity().name())
                .param("phi", scope.phi())
                .param("deidentified", scope.deidentified())
                .param("purposes", toArray(scope.allowedPurposes()))
                .param("deidentifyFor", toArray(scope.deidentifyFor()))
                .param("now", timestamp(now))
                .param("version", version)
                .update();
        if (updated != 1) {
            DataScopeView current = findScope(key).orElseThrow(() -> new RegistryException.NotFound("data-scope", key));
            throw new RegistryException.StaleVersion("data scope", key, version, current.version());
        }
        return version + 1;
    }

    Optional<DataScopeView> findScope(String key) {
        return jdbc.sql("select * from data_scope where key = :key")
                .param("key", key)
                .query(CatalogRepository::mapScope)
                .optional();
    }

    List<DataScopeView> findScopes(Collection<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select * from data_scope where key = any(:keys) order by key")
                .param("keys", toArray(keys))
                .query(CatalogRepository::mapScope)
                .list();
    }

    List<DataScopeView> allScopes() {
        return jdbc.sql("select * from data_scope order by key")
                .query(CatalogRepository::mapScope)
                .list();
    }

    void insertTool(String key, Commands.SaveTool tool, boolean demo, Instant now) {
        try {
            jdbc.sql("""
                    insert into tool (key, display_name, description, backend, required_scopes, max_k, sensitivity,
                        demo, created_at, updated_at, version, backend_kind, mcp_server, upstream_tool, http_method,
                        http_url_template, http_timeout_ms, http_max_response_bytes, http_bearer_secret,
                        http_phi_approved, input_schema, data_scopes, store_payloads, approval_required)
                    values (:key, :displayName, :description, :backend, :requiredScopes, :maxK, :sensitivity, :demo,
                        :now, :now, 1, :backendKind, :mcpServer, :upstreamTool, :httpMethod, :httpUrlTemplate,
                        :httpTimeoutMs, :httpMaxResponseBytes, :httpBearerSecret, :httpPhiApproved, :inputSchema,
                        :dataScopes, :storePayloads, :approvalRequired)""")
                    .params(backendParams(tool))
                    .param("key", key)
                    .param("displayName", tool.displayName())
                    .param("description", tool.description())
                    .param("backend", tool.backend())
                    .param("requiredScopes", toArray(tool.requiredScopes()))
                    .param("maxK", tool.maxK())
                    .param("sensitivity", tool.sensitivity().name())
                    .param("demo", demo)
                    .param("now", timestamp(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw new RegistryException.AlreadyExists("key", "A tool with key '" + key + "' already exists");
        }
    }

    long updateTool(String key, Commands.SaveTool tool, long version, Instant now) {
        int updated = jdbc.sql("""
                update tool set display_name = :displayName, description = :description, backend = :backend,
                    required_scopes = :requiredScopes, max_k = :maxK, sensitivity = :sensitivity,
                    backend_kind = :backendKind, mcp_server = :mcpServer, upstream_tool = :upstreamTool,
                    http_method = :httpMethod, http_url_template = :httpUrlTemplate, http_timeout_ms = :httpTimeoutMs,
                    http_max_response_bytes = :httpMaxResponseBytes, http_bearer_secret = :httpBearerSecret,
                    http_phi_approved = :httpPhiApproved, input_schema = :inputSchema, data_scopes = :dataScopes,
                    store_payloads = :storePayloads, approval_required = :approvalRequired, updated_at = :now,
                    version = version + 1
                where key = :key and version = :version""")
                .params(backendParams(tool))
                .param("key", key)
                .param("displayName", tool.displayName())
                .param("description", tool.description())
                .param("backend", tool.backend())
                .param("requiredScopes", toArray(tool.requiredScopes()))
                .param("maxK", tool.maxK())
                .param("sensitivity", tool.sensitivity().name())
                .param("now", timestamp(now))
                .param("version", version)
                .update();
        if (updated != 1) {
            ToolView current = findTool(key).orElseThrow(() -> new RegistryException.NotFound("tool", key));
            throw new RegistryException.StaleVersion("tool", key, version, current.version());
        }
        return version + 1;
    }

    Optional<ToolView> findTool(String key) {
        return jdbc.sql(SELECT_TOOL + " where t.key = :key")
                .param("key", key)
                .query(CatalogRepository::mapTool)
                .optional();
    }

    List<ToolView> findTools(Collection<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(SELECT_TOOL + " where t.key = any(:keys) order by t.key")
                .param("keys", toArray(keys))
                .query(CatalogRepository::mapTool)
                .list();
    }

    List<ToolView> allTools() {
        return jdbc.sql(SELECT_TOOL + " order by t.key")
                .query(CatalogRepository::mapTool)
                .list();
    }

    private static DataScopeView mapScope(ResultSet rs, int row) throws SQLException {
        return new DataScopeView(
                rs.getString("key"),
                rs.getString("display_name"),
                rs.getString("description"),
                SensitivityLabel.valueOf(rs.getString("sensitivity")),
                rs.getBoolean("phi"),
                rs.getBoolean("deidentified"),
                SqlArrays.purposes(rs, "allowed_purposes"),
                SqlArrays.purposes(rs, "deidentify_for"),
                rs.getBoolean("demo"),
                rs.getLong("version"),
                rs.getBoolean("approval_required"));
    }

    private static ToolView mapTool(ResultSet rs, int row) throws SQLException {
        String backend = rs.getString("backend");
        ToolBackend target = switch (BackendKind.valueOf(rs.getString("backend_kind"))) {
            case BUILTIN -> new ToolBackend.Builtin(backend);
            case MCP ->
                new ToolBackend.Mcp(
                        rs.getString("mcp_server"), rs.getString("upstream_tool"), rs.getBoolean("mcp_phi_approved"));
            case HTTP ->
                new ToolBackend.Http(
                        rs.getString("http_method"),
                        rs.getString("http_url_template"),
                        Duration.ofMillis(rs.getInt("http_timeout_ms")),
                        rs.getInt("http_max_response_bytes"),
                        rs.getString("http_bearer_secret"),
                        rs.getBoolean("http_phi_approved"));
        };
        return new ToolView(
                rs.getString("key"),
                rs.getString("display_name"),
                rs.getString("description"),
                backend,
                strings(rs, "required_scopes"),
                rs.getInt("max_k"),
                SensitivityLabel.valueOf(rs.getString("sensitivity")),
                rs.getBoolean("demo"),
                rs.getLong("version"),
                target,
                rs.getString("input_schema"),
                strings(rs, "data_scopes"),
                rs.getBoolean("store_payloads"),
                rs.getBoolean("approval_required"));
    }

    /** The backend's columns: those of the tool's kind, the others null (the table's check insists). */
    private static Map<String, @Nullable Object> backendParams(Commands.SaveTool tool) {
        Map<String, @Nullable Object> params = new HashMap<>();
        params.put("backendKind", tool.target().kind().name());
        params.put("mcpServer", null);
        params.put("upstreamTool", null);
        params.put("httpMethod", null);
        params.put("httpUrlTemplate", null);
        params.put("httpTimeoutMs", new SqlParameterValue(Types.INTEGER, null));
        params.put("httpMaxResponseBytes", new SqlParameterValue(Types.INTEGER, null));
        params.put("httpBearerSecret", null);
        params.put("httpPhiApproved", false);
        params.put("inputSchema", tool.inputSchema());
        params.put("dataScopes", toArray(tool.dataScopes()));
        params.put("storePayloads", tool.storePayloads());
        params.put("approvalRequired", tool.approvalRequired());
        switch (tool.target()) {
            case ToolBackend.Builtin builtin -> {}
            case ToolBackend.Mcp mcp -> {
                params.put("mcpServer", mcp.server());
                params.put("upstreamTool", mcp.upstreamTool());
            }
            case ToolBackend.Http http -> {
                params.put("httpMethod", http.method());
                params.put("httpUrlTemplate", http.urlTemplate());
                params.put("httpTimeoutMs", (int) http.timeout().toMillis());
                params.put("httpMaxResponseBytes", http.maxResponseBytes());
                params.put("httpBearerSecret", http.bearerSecret());
                params.put("httpPhiApproved", http.phiApproved());
            }
        }
        return params;
    }
}
