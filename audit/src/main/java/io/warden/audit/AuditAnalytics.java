package io.warden.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What the gateway's records say over time: calls, denials and latency per agent and tool, in time buckets. */
public interface AuditAnalytics {

    /**
     * One bucket of one agent's use of one tool.
     *
     * @param p50LatencyMicros median of the outcome records' latency, null when there were none
     */
    record Activity(Instant bucket, String agentId, @Nullable String tool, long calls, long denials, @Nullable Long p50LatencyMicros) {
    }

    /** Buckets of {@code bucket} length from {@code since} on, oldest first. */
    List<Activity> activity(Instant since, Duration bucket);
}
