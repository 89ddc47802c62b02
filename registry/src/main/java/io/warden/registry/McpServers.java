package io.warden.registry;

import java.util.List;
import java.util.Optional;

/**
 * Port to the upstream MCP servers whose tools Warden governs. Changes are admins' (the web edge checks the role),
 * each one audited with its actor and the names of the secrets involved (never their values); versions guard
 * against lost updates. A server's URL and token URL must be on the {@link EgressAllowlist}. Thread-safe.
 */
public interface McpServers {

    /** What a server is registered with or changed to. */
    record Save(String displayName, String url, McpServerView.UpstreamAuth auth, boolean phiApproved) {}

    List<McpServerView> list();

    Optional<McpServerView> find(String key);

    /** @throws RegistryException.NotFound when there is no such server */
    McpServerView get(String key);

    /** @throws RegistryException.InvalidField naming the field at fault; AlreadyExists when the key is taken */
    McpServerView register(String key, Save server, Actor actor);

    /** @throws RegistryException.StaleVersion when {@code version} is not current */
    McpServerView update(String key, Save server, long version, Actor actor);

    /**
     * @throws RegistryException.StaleVersion when {@code version} is not current; Conflict ({@code mcp-server-in-use})
     *     while a tool is backed by the server
     */
    void delete(String key, long version, Actor actor);
}
