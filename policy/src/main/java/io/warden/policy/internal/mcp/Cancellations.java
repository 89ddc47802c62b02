package io.warden.policy.internal.mcp;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The tool calls running on this instance, by the caller, session and JSON-RPC id that started them, so that the
 * client's {@code notifications/cancelled} can stop one: the SDK ignores that notification, so {@link McpEndpoint}
 * reads it and interrupts the thread running the call, which the gateway honours (it cancels the backend call and
 * records the outcome). Keyed by the caller too: one agent cannot cancel another's call by guessing its ids.
 * Thread-safe.
 */
final class Cancellations {

    private final ConcurrentMap<String, Thread> running = new ConcurrentHashMap<>();

    /** A call under way on the current thread; {@link #close()} it when the call is over, whatever happened. */
    final class Running implements AutoCloseable {

        private final String key;

        private Running(String key) {
            this.key = key;
        }

        @Override
        public void close() {
            running.remove(key, Thread.currentThread());
            // an interruption delivered for this call must not reach the pooled thread's next task; remove() holds
            // the entry's lock as cancel() does, so none can come after it
            Thread.interrupted();
        }
    }

    Running started(String clientId, String sessionId, String requestId) {
        String key = key(clientId, sessionId, requestId);
        running.put(key, Thread.currentThread());
        return new Running(key);
    }

    /** Interrupts the call, if it is still running; whether there was one. */
    boolean cancel(String clientId, String sessionId, String requestId) {
        boolean[] found = {false};
        running.computeIfPresent(key(clientId, sessionId, requestId), (key, thread) -> {
            thread.interrupt();
            found[0] = true;
            return thread;
        });
        return found[0];
    }

    int size() {
        return running.size();
    }

    private static String key(String clientId, String sessionId, String requestId) {
        return clientId + '\n' + sessionId + '\n' + requestId;
    }
}
