package io.warden.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the trail's records add up to: the gateway's calls, denials and latency per agent and tool over time,
 * and counts of an action per agent. Implementations are thread-safe.
 */
public interface AuditAnalytics {

    /**
     * One bucket of one agent's use of one tool.
     *
     * @param p50LatencyMicros median of the outcome records' latency, null when there were none
     */
    record Activity(
            Instant bucket,
            String agentId,
            @Nullable String tool,
            long calls,
            long denials,
            @Nullable Long p50LatencyMicros) {}

    /** Buckets of {@code bucket} length from {@code since} on, oldest first. */
    List<Activity> activity(Instant since, Duration bucket);

    /**
     * {@link #activity(Instant, Duration)} of one agent (as the gateway records it: its client id), read through
     * that agent's records only, so one agent's page costs the same whatever the others did.
     */
    List<Activity> activity(Instant since, Duration bucket, String agentId);

    /**
     * How many events of {@code action} (with {@code decision}, when given) each agent has from {@code since}
     * on; agents with none are absent. A record with a {@code count} detail stands for that many events (the
     * gateway records refusals an agent repeats at will once a second, with their count). For the lifecycle rules'
     * risk signals.
     */
    Map<String, Long> countByAgent(String action, @Nullable String decision, Instant since);
}
