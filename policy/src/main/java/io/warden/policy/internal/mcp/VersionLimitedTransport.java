package io.warden.policy.internal.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The SDK's transport as the MCP server sees it, with two changes. It offers only the protocol revisions Warden
 * pins ({@link #VERSIONS}; the SDK's transport offers older ones too and has no setting for it): a client that asks
 * for 2025-06-18 gets it, anything else gets the newest. And it drops the server's own {@code tools/list_changed}
 * broadcasts: the server sends one whenever a tool is registered, which here happens as agents list their tools,
 * not when what an agent may call changes; {@link GovernedTools} sends those through the real transport.
 */
record VersionLimitedTransport(McpStreamableServerTransportProvider delegate)
        implements McpStreamableServerTransportProvider {

    /** Oldest first: the SDK answers a version it does not know with the last one. */
    static final List<String> VERSIONS = List.of("2025-06-18", "2025-11-25");

    @Override
    public void setSessionFactory(McpStreamableServerSession.Factory sessionFactory) {
        delegate.setSessionFactory(sessionFactory);
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        if (McpSchema.METHOD_NOTIFICATION_TOOLS_LIST_CHANGED.equals(method)) {
            return Mono.empty();
        }
        return delegate.notifyClients(method, params);
    }

    @Override
    public Mono<Void> notifyClient(String sessionId, String method, Object params) {
        return delegate.notifyClient(sessionId, method, params);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return delegate.closeGracefully();
    }

    @Override
    public List<String> protocolVersions() {
        return VERSIONS;
    }
}
