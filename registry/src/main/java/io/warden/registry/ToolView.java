package io.warden.registry;

import java.util.SortedSet;

/**
 * A tool the gateway exposes to agents.
 *
 * @param backend        the service that answers it, e.g. {@code retrieval}
 * @param requiredScopes data scopes an agent must hold to call it at all
 * @param maxK           the most results one call may ask for
 * @param sensitivity    the highest sensitivity of data the tool can return
 */
public record ToolView(
        String key,
        String displayName,
        String description,
        String backend,
        SortedSet<String> requiredScopes,
        int maxK,
        SensitivityLabel sensitivity,
        boolean demo,
        long version) {}
