package io.warden.registry;

import org.jspecify.annotations.Nullable;

/**
 * Test data: {@link AgentFilter} criteria, none set until a test names one, so that a test reads as the question it
 * asks: {@code anyAgent().ownedBy(owner).withStatus(ACTIVE).build()}. Not thread-safe.
 */
public final class AgentFilters {

    private @Nullable AgentStatus status;
    private @Nullable AgentKind kind;
    private @Nullable String ownerId;
    private @Nullable String dataScope;
    private @Nullable String text;
    private AgentFilter.@Nullable Sort sort;

    private AgentFilters() {}

    /** Criteria that match every agent. */
    public static AgentFilters anyAgent() {
        return new AgentFilters();
    }

    public AgentFilters withStatus(AgentStatus status) {
        this.status = status;
        return this;
    }

    public AgentFilters withKind(AgentKind kind) {
        this.kind = kind;
        return this;
    }

    public AgentFilters ownedBy(String ownerId) {
        this.ownerId = ownerId;
        return this;
    }

    /** Agents holding the data scope with this key. */
    public AgentFilters holding(String dataScope) {
        this.dataScope = dataScope;
        return this;
    }

    /** Agents whose name or purpose contains these words. */
    public AgentFilters matching(String text) {
        this.text = text;
        return this;
    }

    public AgentFilters sortedBy(AgentFilter.Sort sort) {
        this.sort = sort;
        return this;
    }

    public AgentFilter build() {
        return new AgentFilter(status, kind, ownerId, dataScope, text, sort);
    }
}
