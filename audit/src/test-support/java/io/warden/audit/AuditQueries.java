package io.warden.audit;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Test data: {@link AuditQuery} criteria, none set until a test names one, and a page of up to 1000 records (the most a
 * query may ask for): {@code anyRecord().ownerId("owner-0").decision("DENY").limit(2).build()}. Not thread-safe.
 */
public final class AuditQueries {

    private @Nullable String agentId;
    private @Nullable String ownerId;
    private @Nullable String actorId;
    private @Nullable String dataset;
    private @Nullable String tool;
    private @Nullable String action;
    private @Nullable String decision;
    private @Nullable String purposeOfUse;
    private @Nullable Instant from;
    private @Nullable Instant to;
    private @Nullable Long beforeSequence;
    private int limit = 1000;

    private AuditQueries() {}

    /** Criteria that match every record. */
    public static AuditQueries anyRecord() {
        return new AuditQueries();
    }

    public AuditQueries agentId(String agentId) {
        this.agentId = agentId;
        return this;
    }

    public AuditQueries ownerId(String ownerId) {
        this.ownerId = ownerId;
        return this;
    }

    public AuditQueries actorId(String actorId) {
        this.actorId = actorId;
        return this;
    }

    public AuditQueries dataset(String dataset) {
        this.dataset = dataset;
        return this;
    }

    public AuditQueries tool(String tool) {
        this.tool = tool;
        return this;
    }

    public AuditQueries action(String action) {
        this.action = action;
        return this;
    }

    public AuditQueries decision(String decision) {
        this.decision = decision;
        return this;
    }

    public AuditQueries purposeOfUse(String purposeOfUse) {
        this.purposeOfUse = purposeOfUse;
        return this;
    }

    public AuditQueries from(Instant from) {
        this.from = from;
        return this;
    }

    public AuditQueries to(Instant to) {
        this.to = to;
        return this;
    }

    /** The next page: records older than the smallest sequence of the previous one. */
    public AuditQueries before(long sequence) {
        this.beforeSequence = sequence;
        return this;
    }

    public AuditQueries limit(int limit) {
        this.limit = limit;
        return this;
    }

    public AuditQuery build() {
        return new AuditQuery(
                agentId,
                ownerId,
                actorId,
                dataset,
                tool,
                action,
                decision,
                purposeOfUse,
                from,
                to,
                beforeSequence,
                limit);
    }
}
