package io.warden.policy;

import java.util.Map;
import java.util.SortedSet;

/**
 * A tool as an agent sees it: what it is called, what it does, and the JSON Schema of its arguments (including
 * the {@code dataset} and {@code purposeOfUse} the gateway decides on, where the edge carries them in the body).
 */
public record GrantedTool(
        String key,
        String displayName,
        String description,
        Map<String, Object> inputSchema,
        SortedSet<String> dataScopes) {}
