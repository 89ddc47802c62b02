package io.warden.registry;

import java.util.Arrays;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Test data: a {@link Commands.UpdateAgent} that changes only what a test names; the model, requested scopes, tools and
 * purposes stay as they are unless set: {@code anUpdate("New name", "New purpose", 2).requestingScopes("x").build()}.
 * Not thread-safe.
 */
public final class AgentUpdates {

    private final String name;
    private final String purpose;
    private final long version;
    private @Nullable ModelInfo model;
    private @Nullable SortedSet<String> requestedScopes;
    private @Nullable SortedSet<String> requestedTools;
    private @Nullable SortedSet<PurposeOfUse> requestedPurposes;

    private AgentUpdates(String name, String purpose, long version) {
        this.name = name;
        this.purpose = purpose;
        this.version = version;
    }

    /** Sets the name and purpose of the agent at {@code version}; nothing else changes. */
    public static AgentUpdates anUpdate(String name, String purpose, long version) {
        return new AgentUpdates(name, purpose, version);
    }

    public AgentUpdates withModel(ModelInfo model) {
        this.model = model;
        return this;
    }

    public AgentUpdates requestingScopes(String... keys) {
        this.requestedScopes = new TreeSet<>(Arrays.asList(keys));
        return this;
    }

    public AgentUpdates requestingTools(String... keys) {
        this.requestedTools = new TreeSet<>(Arrays.asList(keys));
        return this;
    }

    public AgentUpdates requestingPurposes(PurposeOfUse... purposes) {
        this.requestedPurposes = new TreeSet<>(Arrays.asList(purposes));
        return this;
    }

    public Commands.UpdateAgent build() {
        return new Commands.UpdateAgent(
                name, purpose, model, requestedScopes, requestedTools, requestedPurposes, version);
    }
}
