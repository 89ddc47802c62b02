package io.warden.policy;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a permitted call returned, after the policy's obligations.
 *
 * @param content     MCP content blocks (for example {@code {"type":"text","text":"…"}}); a REST edge may ignore them
 * @param structured  the structured result (a JSON object), if the backend gave one
 * @param toolError   whether the backend reported the call as failed (an MCP tool error, an HTTP 4xx/5xx); the
 *                    call was still permitted and recorded
 * @param decision    the decision that permitted it
 * @param resultBytes the size of the backend's answer as received
 */
public record ToolOutcome(
        List<Map<String, Object>> content,
        @Nullable Map<String, Object> structured,
        boolean toolError,
        Decision decision,
        long resultBytes) {}
