package io.warden.policy.internal.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import io.warden.policy.GrantedTool;
import io.warden.policy.ToolGateway;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells this instance's MCP sessions that their tool lists changed. Every instance applies every policy change and
 * every kill-switch engagement and release ({@code PolicyChanges}, the kill-switch view), and each runs this for its
 * own sessions, so a session hears of a change whichever instance made it. The changes of one moment (a kill switch
 * is heard both as an engagement and as a policy change) become one round. In a round each agent with a session is
 * asked for its tools once, and only the sessions whose list differs from the one they were shown
 * ({@link ListedTools}) are told: most changes concern one agent or one tool, and a broadcast would make every
 * connected agent list its tools again. Thread-safe.
 */
final class ToolListNotifier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ToolListNotifier.class);

    private final McpStreamableServerTransportProvider sessions;
    private final ListedTools listed;
    private final ToolGateway gateway;
    private final Duration delay;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("warden-mcp-list-changed").factory());

    /** @param sessions the SDK's own transport, not the wrapper that drops the server's broadcasts */
    ToolListNotifier(
            McpStreamableServerTransportProvider sessions, ListedTools listed, ToolGateway gateway, Duration delay) {
        this.sessions = sessions;
        this.listed = listed;
        this.gateway = gateway;
        this.delay = delay;
    }

    /** Schedules one notification, unless one is already waiting to go. */
    void changed() {
        if (pending.compareAndSet(false, true)) {
            scheduler.schedule(this::send, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void send() {
        pending.set(false); // a change from now on schedules the next round
        List<String> changed;
        try {
            changed = listed.changed(this::toolsOf);
        } catch (RuntimeException e) {
            log.warn("Could not work out which MCP sessions' tools changed", e);
            return;
        }
        for (String session : changed) {
            try {
                sessions.notifyClient(session, McpSchema.METHOD_NOTIFICATION_TOOLS_LIST_CHANGED, null)
                        .block(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                // a session without an open event stream cannot be told; it sees the change at its next tools/list
                log.debug("Could not tell MCP session {} that its tools changed: {}", session, e.getMessage());
            }
        }
    }

    private Set<String> toolsOf(String clientId) {
        return gateway.toolsFor(clientId).stream().map(GrantedTool::key).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
