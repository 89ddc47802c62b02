package io.warden.policy.internal.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Warden's process can exit after it shut down: the SDK transport's session sweeper does not keep it alive. */
class SessionSweeperTests {

    @Test
    void theTransportsSessionSweeperRunsOnADaemonThread() {
        // other tests in this JVM may have started sweepers before Warden's factory was in place: judge only this one's
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        McpServerConfiguration.daemonSessionSweeper();
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp")
                .sessionSweepInterval(Duration.ofMinutes(30))
                .build();
        try {
            List<Thread> sweepers = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().startsWith("streamable-http-server-transport-session-sweeper"))
                    .filter(thread -> !before.contains(thread))
                    .toList();
            assertThat(sweepers)
                    .isNotEmpty()
                    .allSatisfy(thread ->
                            assertThat(thread.isDaemon()).as(thread.getName()).isTrue());
        } finally {
            transport.closeGracefully().block();
        }
    }
}
