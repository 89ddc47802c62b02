package io.warden.registry.events;

import java.time.Instant;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A tool was created or changed; {@code version} is its new version (1 when created).
 *
 * @param target        where its calls go, for the audit trail: {@code BUILTIN <service>}, {@code MCP <server>/<tool>}
 *                      or {@code HTTP <method> <url template>} (names only, never a secret)
 * @param dataScopes    the data scopes its calls are decided on
 * @param storePayloads whether its calls' arguments and results are kept in the audit trail
 * @param approvalRequired every call waits for a person's approval of its exact arguments
 */
public record ToolSaved(
        String key,
        int maxK,
        long version,
        String actorId,
        Instant at,
        String target,
        SortedSet<String> dataScopes,
        boolean storePayloads,
        boolean approvalRequired) {

    public ToolSaved {
        dataScopes = new TreeSet<>(dataScopes);
    }

    /** A change recorded before tools could oblige an approval. */
    public ToolSaved(
            String key,
            int maxK,
            long version,
            String actorId,
            Instant at,
            String target,
            SortedSet<String> dataScopes,
            boolean storePayloads) {
        this(key, maxK, version, actorId, at, target, dataScopes, storePayloads, false);
    }

    /** A built-in tool's change, as recorded before tools had other backends. */
    public ToolSaved(String key, int maxK, long version, String actorId, Instant at) {
        this(key, maxK, version, actorId, at, "BUILTIN", new TreeSet<>(), false, false);
    }
}
