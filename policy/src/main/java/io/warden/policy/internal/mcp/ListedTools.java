package io.warden.policy.internal.mcp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The tool names each MCP session of this instance was last shown (its {@code tools/list}) or told of, so that a
 * {@code list_changed} goes only to the sessions whose list really changed. A session that has not listed its tools
 * is not here and is told nothing: it has no list that could be stale, and the MCP lifecycle forbids sending it
 * anything before its initialization is over, which a broadcast right after {@code initialize} would do. Thread-safe.
 */
final class ListedTools {

    /** What one session was shown. */
    record Listed(String clientId, Set<String> names) {}

    private final Cache<String, Listed> sessions;

    ListedTools(Duration sessionIdle) {
        // the transport forgets an idle session after sessionIdle; its list is kept a little longer, never less
        this.sessions = Caffeine.newBuilder()
                .expireAfterAccess(sessionIdle.multipliedBy(2))
                .maximumSize(100_000)
                .build();
    }

    void listed(String sessionId, String clientId, Set<String> names) {
        sessions.put(sessionId, new Listed(clientId, Set.copyOf(names)));
    }

    void forget(String sessionId) {
        sessions.invalidate(sessionId);
    }

    /**
     * The sessions whose tools now differ from the list they were shown, each then noted as shown the new one (it is
     * about to be told). {@code toolsOf} is asked once per agent, however many sessions the agent has.
     */
    List<String> changed(Function<String, Set<String>> toolsOf) {
        Map<String, Set<String>> now = new HashMap<>();
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, Listed> session : sessions.asMap().entrySet()) {
            Listed shown = session.getValue();
            Set<String> current = now.computeIfAbsent(shown.clientId(), toolsOf);
            if (!current.equals(shown.names())
                    && sessions.asMap()
                            .replace(session.getKey(), shown, new Listed(shown.clientId(), Set.copyOf(current)))) {
                changed.add(session.getKey());
            }
        }
        return changed;
    }

    int size() {
        return (int) sessions.estimatedSize();
    }
}
