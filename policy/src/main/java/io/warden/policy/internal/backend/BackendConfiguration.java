package io.warden.policy.internal.backend;

import io.warden.registry.EgressAllowlist;
import io.warden.registry.McpServers;
import io.warden.registry.SecretStore;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The backend clients as beans the gateway finds by {@link ToolBackendClient#kind()}, over the registry's ports: the
 * egress allowlist, the secret store and the MCP server registrations. The allowlist and the registrations are read
 * through {@link RegistryReads}, the gateway's cache that every instance drops on a change before the change is
 * confirmed, so an admin's change (made on any instance, stored in PostgreSQL) holds for the next call everywhere;
 * secrets are read on every use. A port that fails refuses the call (see {@link EgressGuard} and the clients): the
 * outbound side fails closed.
 */
@Configuration(proxyBeanMethods = false)
class BackendConfiguration {

    /** Warden's own mapper: the wire format to backends must not change with the web layer's Jackson settings. */
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Bean
    EgressGuard egressGuard(EgressAllowlist allowlist, RegistryReads reads) {
        return new EgressGuard(egressPolicy(allowlist, reads));
    }

    @Bean
    HttpToolBackendClient httpToolBackendClient(EgressGuard guard, SecretStore secrets, Clock clock) {
        return new HttpToolBackendClient(guard, secrets::get, JSON, clock);
    }

    @Bean
    McpToolBackendClient mcpToolBackendClient(
            EgressGuard guard, McpServers servers, SecretStore secrets, RegistryReads reads, Clock clock) {
        return new McpToolBackendClient(
                key -> reads.read("mcp-server", key, () -> servers.find(key)), guard, secrets::get, JSON, clock);
    }

    /** The allowlist's matching (exact entry, else the longest {@code *.suffix}) is the registry's. */
    static EgressPolicy egressPolicy(EgressAllowlist allowlist, RegistryReads reads) {
        return host -> reads.read(
                "egress-host",
                host,
                () -> allowlist.matches(host).map(e -> new EgressPolicy.Entry(e.host(), e.allowPrivate())));
    }
}
