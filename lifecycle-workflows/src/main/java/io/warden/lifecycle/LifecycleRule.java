package io.warden.lifecycle;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;

/**
 * A lifecycle rule: when it fires, a process starts for the agent.
 * <ul>
 *   <li>{@code DORMANT} ({@code days}): an ACTIVE agent unused for that many days → {@code agent-retirement};</li>
 *   <li>{@code OWNER_INACTIVE}: the owner is disabled or gone in the directory → {@code orphaned-agent};</li>
 *   <li>{@code RECERTIFICATION_DUE}: the recertification date passed → {@code agent-recertification};</li>
 *   <li>{@code RISK_SIGNAL} ({@code denials}, {@code window}): that many policy denials within the window →
 *       the agent's kill switch, which opens {@code agent-incident}.</li>
 * </ul>
 */
public record LifecycleRule(
        String key,
        Kind kind,
        boolean enabled,
        Map<String, Object> parameters,
        long version,
        String updatedBy,
        Instant updatedAt) {

    @Schema(name = "LifecycleRuleKind")
    public enum Kind {
        DORMANT,
        OWNER_INACTIVE,
        RECERTIFICATION_DUE,
        RISK_SIGNAL
    }

    public LifecycleRule {
        parameters = Map.copyOf(parameters);
    }
}
