package io.warden.registry;

import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A tool the gateway exposes to agents.
 *
 * @param backend        the service that answers a built-in tool (e.g. {@code retrieval}), or {@code mcp} or
 *                       {@code http}; {@link #target} says where the calls go
 * @param requiredScopes data scopes an agent must hold to call it at all
 * @param maxK           the most results one call may ask for
 * @param sensitivity    the highest sensitivity of data the tool can return
 * @param target         where a permitted call is forwarded
 * @param inputSchema    the JSON Schema of the call's arguments, as JSON text ({@code ""} for the built-in tools,
 *                       whose arguments the gateway defines)
 * @param dataScopes     the data scopes an MCP or HTTP tool's calls are decided on: a call names one of them as its
 *                       dataset (or none when there is exactly one)
 * @param storePayloads  whether the audit trail keeps the call's arguments and result (never by default)
 * @param approvalRequired every call waits for a person's approval of its exact arguments (never by default)
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
        long version,
        ToolBackend target,
        String inputSchema,
        SortedSet<String> dataScopes,
        boolean storePayloads,
        boolean approvalRequired) {

    /** A tool whose calls need no person's approval. */
    public ToolView(
            String key,
            String displayName,
            String description,
            String backend,
            SortedSet<String> requiredScopes,
            int maxK,
            SensitivityLabel sensitivity,
            boolean demo,
            long version,
            ToolBackend target,
            String inputSchema,
            SortedSet<String> dataScopes,
            boolean storePayloads) {
        this(
                key,
                displayName,
                description,
                backend,
                requiredScopes,
                maxK,
                sensitivity,
                demo,
                version,
                target,
                inputSchema,
                dataScopes,
                storePayloads,
                false);
    }

    /** A built-in tool answered by {@code backend}. */
    public ToolView(
            String key,
            String displayName,
            String description,
            String backend,
            SortedSet<String> requiredScopes,
            int maxK,
            SensitivityLabel sensitivity,
            boolean demo,
            long version) {
        this(
                key,
                displayName,
                description,
                backend,
                requiredScopes,
                maxK,
                sensitivity,
                demo,
                version,
                new ToolBackend.Builtin(backend),
                "",
                new TreeSet<>(),
                false,
                false);
    }
}
