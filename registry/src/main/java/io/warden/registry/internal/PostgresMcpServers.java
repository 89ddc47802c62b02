package io.warden.registry.internal;

import static io.warden.registry.internal.SqlArrays.timestamp;

import io.warden.registry.Actor;
import io.warden.registry.EgressAllowlist;
import io.warden.registry.McpServerView;
import io.warden.registry.McpServerView.UpstreamAuth;
import io.warden.registry.McpServers;
import io.warden.registry.RegistryException;
import io.warden.registry.events.McpServerChanged;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The upstream MCP servers in PostgreSQL ({@code mcp_server}). Each change publishes a {@link McpServerChanged} in
 * its transaction, which the audit trail records through the event publication registry. Only the names of secrets
 * are stored; their values stay in the secret store.
 */
@Service
@Transactional
class PostgresMcpServers implements McpServers {

    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
    static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private final JdbcClient jdbc;
    private final EgressAllowlist allowlist;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    PostgresMcpServers(JdbcClient jdbc, EgressAllowlist allowlist, ApplicationEventPublisher events, Clock clock) {
        this.jdbc = jdbc;
        this.allowlist = allowlist;
        this.events = events;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    @Override
    public List<McpServerView> list() {
        return jdbc.sql("select * from mcp_server order by key")
                .query(PostgresMcpServers::row)
                .list();
    }

    @Transactional(readOnly = true)
    @Override
    public Optional<McpServerView> find(String key) {
        return jdbc.sql("select * from mcp_server where key = :key")
                .param("key", key)
                .query(PostgresMcpServers::row)
                .optional();
    }

    @Transactional(readOnly = true)
    @Override
    public McpServerView get(String key) {
        return find(key).orElseThrow(() -> new RegistryException.NotFound("mcp-server", key));
    }

    @Override
    public McpServerView register(String key, Save server, Actor actor) {
        if (!KEY.matcher(key).matches()) {
            throw new RegistryException.InvalidField(
                    "key", "A key is 2 to 63 lower-case letters, digits and '-', starting with a letter or digit");
        }
        check(server);
        Instant now = clock.instant();
        UpstreamAuth auth = server.auth();
        try {
            jdbc.sql("""
                    insert into mcp_server (key, display_name, url, auth_kind, auth_secret, token_url, client_id, scope,
                        phi_approved, created_by, created_at, updated_at, version)
                    values (:key, :displayName, :url, :authKind, :secret, :tokenUrl, :clientId, :scope, :phi, :actor,
                        :now, :now, 1)""")
                    .param("key", key)
                    .param("displayName", server.displayName().strip())
                    .param("url", server.url())
                    .param("authKind", auth.kind().name())
                    .param("secret", auth.secret())
                    .param("tokenUrl", auth.tokenUrl())
                    .param("clientId", auth.clientId())
                    .param("scope", auth.scope())
                    .param("phi", server.phiApproved())
                    .param("actor", actor.id())
                    .param("now", timestamp(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw new RegistryException.AlreadyExists("key", "An MCP server with key '" + key + "' already exists");
        }
        McpServerView created = get(key);
        events.publishEvent(new McpServerChanged(key, null, created, actor.id(), now));
        return created;
    }

    @Override
    public McpServerView update(String key, Save server, long version, Actor actor) {
        McpServerView before = get(key);
        check(server);
        Instant now = clock.instant();
        UpstreamAuth auth = server.auth();
        int updated = jdbc.sql("""
                update mcp_server set display_name = :displayName, url = :url, auth_kind = :authKind,
                    auth_secret = :secret, token_url = :tokenUrl, client_id = :clientId, scope = :scope,
                    phi_approved = :phi, updated_at = :now, version = version + 1
                where key = :key and version = :version""")
                .param("key", key)
                .param("displayName", server.displayName().strip())
                .param("url", server.url())
                .param("authKind", auth.kind().name())
                .param("secret", auth.secret())
                .param("tokenUrl", auth.tokenUrl())
                .param("clientId", auth.clientId())
                .param("scope", auth.scope())
                .param("phi", server.phiApproved())
                .param("now", timestamp(now))
                .param("version", version)
                .update();
        if (updated != 1) {
            throw new RegistryException.StaleVersion("MCP server", key, version, get(key).version());
        }
        McpServerView after = get(key);
        events.publishEvent(new McpServerChanged(key, before, after, actor.id(), now));
        return after;
    }

    @Override
    public void delete(String key, long version, Actor actor) {
        McpServerView before = get(key);
        List<String> tools = jdbc.sql("select key from tool where mcp_server = :key order by key")
                .param("key", key)
                .query((rs, row) -> rs.getString(1))
                .list();
        if (!tools.isEmpty()) {
            throw new RegistryException.Conflict(
                    "mcp-server-in-use",
                    "The MCP server " + key + " backs the tools " + String.join(", ", tools)
                            + "; change or remove them first");
        }
        int deleted = jdbc.sql("delete from mcp_server where key = :key and version = :version")
                .param("key", key)
                .param("version", version)
                .update();
        if (deleted != 1) {
            throw new RegistryException.StaleVersion("MCP server", key, version, before.version());
        }
        events.publishEvent(new McpServerChanged(key, before, null, actor.id(), clock.instant()));
    }

    private void check(Save server) {
        if (server.displayName().isBlank() || server.displayName().length() > 200) {
            throw new RegistryException.InvalidField("displayName", "A display name is 1 to 200 characters");
        }
        if (server.url().length() > 2000) {
            throw new RegistryException.InvalidField("url", "A URL is at most 2000 characters");
        }
        allowed("url", Egress.urlHost("url", server.url()));
        UpstreamAuth auth = server.auth();
        switch (auth.kind()) {
            case NONE -> {
                absent("auth.secret", auth.secret());
                absent("auth.tokenUrl", auth.tokenUrl());
                absent("auth.clientId", auth.clientId());
                absent("auth.scope", auth.scope());
            }
            case BEARER -> {
                secretName("auth.secret", auth.secret());
                absent("auth.tokenUrl", auth.tokenUrl());
                absent("auth.clientId", auth.clientId());
                absent("auth.scope", auth.scope());
            }
            case CLIENT_CREDENTIALS -> {
                secretName("auth.secret", auth.secret());
                String tokenUrl = required("auth.tokenUrl", auth.tokenUrl(), 2000);
                allowed("auth.tokenUrl", Egress.urlHost("auth.tokenUrl", tokenUrl));
                required("auth.clientId", auth.clientId(), 500);
                String scope = auth.scope();
                if (scope != null && scope.length() > 1000) {
                    throw new RegistryException.InvalidField("auth.scope", "A scope is at most 1000 characters");
                }
            }
        }
    }

    private void allowed(String field, String host) {
        if (allowlist.matches(host).isEmpty()) {
            throw new RegistryException.InvalidField(
                    field, "The host " + host + " is not on the egress allowlist; an admin adds it there first");
        }
    }

    static void secretName(String field, @Nullable String name) {
        if (name == null || !SECRET_NAME.matcher(name).matches()) {
            throw new RegistryException.InvalidField(
                    field, "Name a secret of the secret store: 1 to 200 letters, digits, '.', '_' or '-'");
        }
    }

    private static String required(String field, @Nullable String value, int max) {
        if (value == null || value.isBlank() || value.length() > max) {
            throw new RegistryException.InvalidField(field, field + " is required (at most " + max + " characters)");
        }
        return value;
    }

    private static void absent(String field, @Nullable String value) {
        if (value != null) {
            throw new RegistryException.InvalidField(field, field + " does not apply to this kind of authentication");
        }
    }

    static McpServerView row(ResultSet rs, int row) throws SQLException {
        return new McpServerView(
                rs.getString("key"),
                rs.getString("display_name"),
                rs.getString("url"),
                new UpstreamAuth(
                        UpstreamAuth.Kind.valueOf(rs.getString("auth_kind")),
                        rs.getString("auth_secret"),
                        rs.getString("token_url"),
                        rs.getString("client_id"),
                        rs.getString("scope")),
                rs.getBoolean("phi_approved"),
                rs.getString("created_by"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(),
                rs.getLong("version"));
    }
}
