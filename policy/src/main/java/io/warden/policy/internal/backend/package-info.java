/**
 * Outbound calls to tool backends. Entry points: the {@link io.warden.policy.internal.backend.ToolBackendClient}
 * SPI the gateway forwards permitted calls through, with its two implementations
 * {@link io.warden.policy.internal.backend.HttpToolBackendClient} (JSON over HTTP) and
 * {@link io.warden.policy.internal.backend.McpToolBackendClient} (an upstream MCP server over Streamable HTTP);
 * and {@link io.warden.policy.internal.backend.EgressGuard}, which every connection to a backend passes
 * (allowlist, address checks after every resolution via
 * {@link io.warden.policy.internal.backend.GuardedResolverProvider}, no redirects).
 *
 * <p>What this package needs from elsewhere sits behind small ports until the registry offers them:
 * {@link io.warden.policy.internal.backend.EgressPolicy} (the allowlist),
 * {@link io.warden.policy.internal.backend.BackendSecrets} (secret values by name) and
 * {@link io.warden.policy.internal.backend.McpServers} (registered MCP servers by key); the first and the last are
 * read through {@link io.warden.policy.internal.backend.RegistryReads}, the gateway's cache (public: the gateway's
 * configuration in {@code internal} implements it over its package-private cache).
 */
@NullMarked
package io.warden.policy.internal.backend;

import org.jspecify.annotations.NullMarked;
