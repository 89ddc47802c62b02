package io.warden.policy.internal.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells this instance's MCP sessions that their tool lists may have changed. Every instance applies every policy
 * change and every kill-switch engagement ({@code PolicyChanges}, the kill-switch view), and each runs this for its
 * own sessions, so a session hears of a change whichever instance made it. The changes of one moment (a kill switch
 * is heard both as an engagement and as a policy change) become one notification. Thread-safe.
 */
final class ToolListNotifier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ToolListNotifier.class);

    private final McpStreamableServerTransportProvider sessions;
    private final Duration delay;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("warden-mcp-list-changed").factory());

    /** @param sessions the SDK's own transport, not the wrapper that drops the server's broadcasts */
    ToolListNotifier(McpStreamableServerTransportProvider sessions, Duration delay) {
        this.sessions = sessions;
        this.delay = delay;
    }

    /** Schedules one notification, unless one is already waiting to go. */
    void changed() {
        if (pending.compareAndSet(false, true)) {
            scheduler.schedule(this::send, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void send() {
        pending.set(false); // a change from now on schedules the next notification
        try {
            // sessions without an open stream cannot be told; they see the change at their next tools/list
            sessions.notifyClients(McpSchema.METHOD_NOTIFICATION_TOOLS_LIST_CHANGED, null)
                    .block(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            log.warn("Could not tell every MCP session that its tools changed", e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
