package io.warden.registry;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Test data: an {@link AgentView} as the registry would hand it over, built from valid defaults (a DRAFT retrieval
 * agent of low risk, owned by {@code owner-1}, with no identity, grants or timestamps beyond its creation at the
 * epoch) so that a test names only what it is about: {@code anAgent().withStatus(ACTIVE).withClientId("x").build()}.
 *
 * <p>Test code only: {@code registry/src/test-support/java} is compiled with the tests of each module that uses it
 * (build-helper's add-test-source), never shipped. Each builder gets a fresh id, derived from a counter rather than a
 * random source, so that test data stays reproducible. Not thread-safe; build one agent per builder.
 */
public final class AgentViews {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    private AgentId id;
    private String name = "Test agent";
    private AgentKind kind = AgentKind.RETRIEVAL;
    private String purpose = "testing";
    private AgentStatus status = AgentStatus.DRAFT;
    private String ownerId = "owner-1";
    private @Nullable String clientId;
    private @Nullable ModelInfo model;
    private RiskTier riskTier = RiskTier.LOW;
    private SortedSet<String> dataScopes = new TreeSet<>();
    private SortedSet<String> tools = new TreeSet<>();
    private SortedSet<PurposeOfUse> purposesOfUse = new TreeSet<>();
    private SortedSet<String> phiApprovedScopes = new TreeSet<>();
    private Instant createdAt = Instant.EPOCH;
    private Instant updatedAt = Instant.EPOCH;
    private @Nullable Instant approvedAt;
    private @Nullable Instant lastActiveAt;
    private @Nullable Instant recertifyBy;
    private boolean demo;
    private long version = 1;

    private AgentViews() {
        id = new AgentId(UUID.nameUUIDFromBytes(("test-agent-" + SEQUENCE.incrementAndGet()).getBytes(UTF_8)));
    }

    /** An agent with the defaults above and an id of its own. */
    public static AgentViews anAgent() {
        return new AgentViews();
    }

    /** A copy of {@code agent}, to change a few of its fields (a transition, say) and build the next snapshot. */
    public static AgentViews from(AgentView agent) {
        AgentViews b = new AgentViews();
        b.id = agent.id();
        b.name = agent.name();
        b.kind = agent.kind();
        b.purpose = agent.purpose();
        b.status = agent.status();
        b.ownerId = agent.ownerId();
        b.clientId = agent.clientId();
        b.model = agent.model();
        b.riskTier = agent.riskTier();
        b.dataScopes = new TreeSet<>(agent.dataScopes());
        b.tools = new TreeSet<>(agent.tools());
        b.purposesOfUse = new TreeSet<>(agent.purposesOfUse());
        b.phiApprovedScopes = new TreeSet<>(agent.phiApprovedScopes());
        b.createdAt = agent.createdAt();
        b.updatedAt = agent.updatedAt();
        b.approvedAt = agent.approvedAt();
        b.lastActiveAt = agent.lastActiveAt();
        b.recertifyBy = agent.recertifyBy();
        b.demo = agent.demo();
        b.version = agent.version();
        return b;
    }

    public AgentViews withId(AgentId id) {
        this.id = id;
        return this;
    }

    public AgentViews withName(String name) {
        this.name = name;
        return this;
    }

    public AgentViews withKind(AgentKind kind) {
        this.kind = kind;
        return this;
    }

    public AgentViews withPurpose(String purpose) {
        this.purpose = purpose;
        return this;
    }

    public AgentViews withStatus(AgentStatus status) {
        this.status = status;
        return this;
    }

    public AgentViews withOwnerId(String ownerId) {
        this.ownerId = ownerId;
        return this;
    }

    /** The identity's client id; null for an agent not (or no longer) provisioned. */
    public AgentViews withClientId(@Nullable String clientId) {
        this.clientId = clientId;
        return this;
    }

    public AgentViews withModel(@Nullable ModelInfo model) {
        this.model = model;
        return this;
    }

    public AgentViews withRiskTier(RiskTier riskTier) {
        this.riskTier = riskTier;
        return this;
    }

    public AgentViews withDataScopes(String... keys) {
        this.dataScopes = sorted(Arrays.asList(keys));
        return this;
    }

    public AgentViews withTools(String... keys) {
        this.tools = sorted(Arrays.asList(keys));
        return this;
    }

    public AgentViews withPurposesOfUse(PurposeOfUse... purposes) {
        this.purposesOfUse = sorted(Arrays.asList(purposes));
        return this;
    }

    public AgentViews withPhiApprovedScopes(String... keys) {
        this.phiApprovedScopes = sorted(Arrays.asList(keys));
        return this;
    }

    public AgentViews createdAt(Instant createdAt) {
        this.createdAt = createdAt;
        return this;
    }

    public AgentViews updatedAt(Instant updatedAt) {
        this.updatedAt = updatedAt;
        return this;
    }

    public AgentViews approvedAt(@Nullable Instant approvedAt) {
        this.approvedAt = approvedAt;
        return this;
    }

    public AgentViews lastActiveAt(@Nullable Instant lastActiveAt) {
        this.lastActiveAt = lastActiveAt;
        return this;
    }

    public AgentViews recertifyBy(@Nullable Instant recertifyBy) {
        this.recertifyBy = recertifyBy;
        return this;
    }

    public AgentViews demo(boolean demo) {
        this.demo = demo;
        return this;
    }

    public AgentViews withVersion(long version) {
        this.version = version;
        return this;
    }

    public AgentView build() {
        return new AgentView(
                id,
                name,
                kind,
                purpose,
                status,
                ownerId,
                clientId,
                model,
                riskTier,
                new TreeSet<>(dataScopes),
                new TreeSet<>(tools),
                new TreeSet<>(purposesOfUse),
                new TreeSet<>(phiApprovedScopes),
                createdAt,
                updatedAt,
                approvedAt,
                lastActiveAt,
                recertifyBy,
                demo,
                version);
    }

    private static <T extends Comparable<T>> SortedSet<T> sorted(Collection<T> values) {
        return new TreeSet<>(values);
    }
}
