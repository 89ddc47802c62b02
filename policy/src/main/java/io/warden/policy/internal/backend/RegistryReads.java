package io.warden.policy.internal.backend;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * How the backend clients read the registry on every call (an MCP server's registration, an egress allowlist
 * entry): through the gateway's cache, which every instance drops when one of those rows changes, before the change
 * is confirmed to the admin who made it. So a host taken off the allowlist or a server re-registered holds for the
 * next call everywhere, as an uncached read would, without a database round trip per call.
 */
public interface RegistryReads {

    /**
     * The cached answer for {@code key} in {@code area}, or {@code load}'s answer, cached until the next change. A
     * load that throws is not cached.
     */
    <T> Optional<T> read(String area, String key, Supplier<Optional<T>> load);
}
