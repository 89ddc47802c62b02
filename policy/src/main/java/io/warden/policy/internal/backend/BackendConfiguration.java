package io.warden.policy.internal.backend;

import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The backend clients as beans the gateway finds by {@link ToolBackendClient#kind()}. The allowlist, the secret
 * values and the MCP server registrations come from whichever beans implement the ports; while none does, the
 * guard allows no host and no server is known (fail closed).
 */
@Configuration(proxyBeanMethods = false)
class BackendConfiguration {

    /** Warden's own mapper: the wire format to backends must not change with the web layer's Jackson settings. */
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Bean
    EgressGuard egressGuard(ObjectProvider<EgressPolicy> policy) {
        return new EgressGuard(policy.getIfAvailable(EgressPolicy::denyAll));
    }

    @Bean
    HttpToolBackendClient httpToolBackendClient(
            EgressGuard guard, ObjectProvider<BackendSecrets> secrets, Clock clock) {
        return new HttpToolBackendClient(guard, secrets.getIfAvailable(BackendSecrets::none), JSON, clock);
    }

    @Bean
    McpToolBackendClient mcpToolBackendClient(
            EgressGuard guard,
            ObjectProvider<McpServers> servers,
            ObjectProvider<BackendSecrets> secrets,
            Clock clock) {
        return new McpToolBackendClient(
                servers.getIfAvailable(McpServers::none),
                guard,
                secrets.getIfAvailable(BackendSecrets::none),
                JSON,
                clock);
    }
}
