package io.warden.policy.internal.backend;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a backend answered, before the gateway's obligations.
 *
 * @param content        MCP content blocks
 * @param structured     the structured result, if any
 * @param toolError      whether the backend reported the call as failed
 * @param resultBytes    the size of the answer as received
 * @param upstream       host:port or MCP server key, for the audit trail
 * @param upstreamMicros how long the backend took
 */
public record BackendAnswer(
        List<Map<String, Object>> content,
        @Nullable Map<String, Object> structured,
        boolean toolError,
        long resultBytes,
        String upstream,
        long upstreamMicros) {}
