package io.warden.policy.internal.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Warden's process can exit after it shut down: the SDK transport's session sweeper does not keep it alive. */
class SessionSweeperTests {

    @Test
    void theTransportsSessionSweeperRunsOnADaemonThread() {
        McpServerConfiguration.daemonSessionSweeper();
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp")
                .sessionSweepInterval(Duration.ofMinutes(30))
                .build();
        try {
            List<Thread> sweepers = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().startsWith("streamable-http-server-transport-session-sweeper"))
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
