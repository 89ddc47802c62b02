package io.warden.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What happened, as a producer reports it; the log adds the sequence number, the time and the hash.
 *
 * <p>It never holds raw PHI or query text: {@code requestDigest} is a SHA-256 (64 lower-case hex digits),
 * detail values are short (at most 256 characters; a gateway decision's {@code input}, structured JSON, at most
 * 16384) and keys are identifiers. Build with {@link #builder}.
 *
 * @param action        dotted verb, e.g. {@code agent.registered}, {@code gateway.decision}
 * @param sourceId      the producer's unique id for this event; a repeat with the same id is recorded once
 * @param decision      {@code PERMIT} or {@code DENY} for decisions, else null
 * @param reasons       stable reason codes, e.g. {@code AGENT_SUSPENDED}
 * @param purposeOfUse  an HL7 v3 PurposeOfUse code
 * @param latencyMicros how long the action took
 */
public record AuditEvent(
        String action,
        @Nullable String sourceId,
        AuditActor actor,
        AuditTarget target,
        @Nullable String agentId,
        @Nullable String ownerId,
        @Nullable String dataset,
        @Nullable String tool,
        @Nullable String decision,
        List<String> reasons,
        @Nullable String purposeOfUse,
        @Nullable String requestDigest,
        Outcome outcome,
        @Nullable Long latencyMicros,
        @Nullable String correlationId,
        SortedMap<String, String> details) {

    private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");
    static final int MAX_DETAIL_LENGTH = 256;
    /**
     * A gateway decision's {@code input}: the JSON the gateway built from registry facts to decide (never the payload
     * or free text; see the policy module's decision records), kept whole so the decision can be replayed.
     */
    static final String DECISION_INPUT = "input";

    static final int MAX_DECISION_INPUT_LENGTH = 16_384;

    public AuditEvent {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(outcome, "outcome");
        if (!ACTION.matcher(action).matches()) {
            throw new IllegalArgumentException(
                    "action must be dotted lower-case words, e.g. agent.registered: " + action);
        }
        if (requestDigest != null && !DIGEST.matcher(requestDigest).matches()) {
            throw new IllegalArgumentException(
                    "requestDigest must be a SHA-256 in lower-case hex, never the request itself");
        }
        if (decision != null && !decision.equals("PERMIT") && !decision.equals("DENY")) {
            throw new IllegalArgumentException("decision must be PERMIT or DENY: " + decision);
        }
        if (latencyMicros != null && latencyMicros < 0) {
            throw new IllegalArgumentException("latencyMicros must not be negative");
        }
        reasons = List.copyOf(reasons);
        for (var entry : details.entrySet()) {
            if (!KEY.matcher(entry.getKey()).matches()) {
                throw new IllegalArgumentException("detail keys are identifiers: " + entry.getKey());
            }
            int max = entry.getKey().equals(DECISION_INPUT) ? MAX_DECISION_INPUT_LENGTH : MAX_DETAIL_LENGTH;
            if (entry.getValue() == null || entry.getValue().length() > max) {
                throw new IllegalArgumentException("detail '" + entry.getKey() + "' must be a value of at most " + max
                        + " characters (no free text or PHI in the audit trail)");
            }
        }
        details = Collections.unmodifiableSortedMap(new TreeMap<>(details));
    }

    public static Builder builder(String action, AuditActor actor, AuditTarget target) {
        return new Builder(action, actor, target);
    }

    /** Builds an {@link AuditEvent}; only action, actor and target are required (outcome defaults to SUCCESS). */
    public static final class Builder {
        private final String action;
        private final AuditActor actor;
        private final AuditTarget target;
        private @Nullable String sourceId;
        private @Nullable String agentId;
        private @Nullable String ownerId;
        private @Nullable String dataset;
        private @Nullable String tool;
        private @Nullable String decision;
        private final List<String> reasons = new ArrayList<>();
        private @Nullable String purposeOfUse;
        private @Nullable String requestDigest;
        private Outcome outcome = Outcome.SUCCESS;
        private @Nullable Long latencyMicros;
        private @Nullable String correlationId;
        private final SortedMap<String, String> details = new TreeMap<>();

        private Builder(String action, AuditActor actor, AuditTarget target) {
            this.action = action;
            this.actor = actor;
            this.target = target;
        }

        public Builder sourceId(@Nullable String value) {
            this.sourceId = value;
            return this;
        }

        public Builder agent(@Nullable String value) {
            this.agentId = value;
            return this;
        }

        public Builder owner(@Nullable String value) {
            this.ownerId = value;
            return this;
        }

        public Builder dataset(@Nullable String value) {
            this.dataset = value;
            return this;
        }

        public Builder tool(@Nullable String value) {
            this.tool = value;
            return this;
        }

        public Builder decision(@Nullable String value) {
            this.decision = value;
            return this;
        }

        public Builder reason(String code) {
            this.reasons.add(code);
            return this;
        }

        public Builder purposeOfUse(@Nullable String value) {
            this.purposeOfUse = value;
            return this;
        }

        public Builder requestDigest(@Nullable String value) {
            this.requestDigest = value;
            return this;
        }

        public Builder outcome(Outcome value) {
            this.outcome = value;
            return this;
        }

        public Builder latencyMicros(@Nullable Long value) {
            this.latencyMicros = value;
            return this;
        }

        public Builder correlationId(@Nullable String value) {
            this.correlationId = value;
            return this;
        }

        public Builder detail(String key, @Nullable Object value) {
            if (value != null) {
                details.put(key, value.toString());
            }
            return this;
        }

        public Builder details(Map<String, String> values) {
            details.putAll(values);
            return this;
        }

        public AuditEvent build() {
            return new AuditEvent(
                    action,
                    sourceId,
                    actor,
                    target,
                    agentId,
                    ownerId,
                    dataset,
                    tool,
                    decision,
                    reasons,
                    purposeOfUse,
                    requestDigest,
                    outcome,
                    latencyMicros,
                    correlationId,
                    details);
        }
    }
}
