package io.warden.registry;

import java.time.Instant;
import java.util.Map;

/**
 * When agents were last used, for the dormancy rule. Apart from {@link Agents} because recording use is
 * not a use case: it changes no status, publishes no event and needs no actor, and the gateway, which only
 * reads the registry otherwise, should not hold the port that changes agents. Thread-safe.
 */
@FunctionalInterface
public interface AgentActivity {

    /**
     * Records when agents were last active (the gateway batches this); a time earlier than the one stored
     * is ignored.
     */
    void recordLastActivity(Map<AgentId, Instant> lastActivity);
}
