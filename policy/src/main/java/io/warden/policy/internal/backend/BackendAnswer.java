package io.warden.policy.internal.backend;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a backend answered.
 *
 * @param content        MCP content blocks ({@code {"type":"text","text":…}}, …)
 * @param structured     the structured result (an object), if any
 * @param toolError      the backend reported the call as failed (MCP {@code isError}, HTTP 4xx/5xx)
 * @param resultBytes    the size of the answer as received
 * @param upstream       where it came from, for the audit: {@code host:port} of an HTTP backend, the server key of
 *                       an MCP server
 * @param upstreamMicros how long the backend took
 */
public record BackendAnswer(
        List<Map<String, Object>> content,
        @Nullable Map<String, Object> structured,
        boolean toolError,
        long resultBytes,
        String upstream,
        long upstreamMicros) {

    public BackendAnswer {
        content = List.copyOf(Objects.requireNonNull(content, "content"));
        Objects.requireNonNull(upstream, "upstream");
    }
}
