package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditWriteFailed;
import io.warden.audit.Outcome;
import io.warden.audit.problem.Problems;
import io.warden.clinical.CollectionCatalog;
import io.warden.clinical.CollectionInfo;
import io.warden.clinical.IndexKind;
import io.warden.clinical.Modality;
import io.warden.clinical.Neighbours;
import io.warden.clinical.Retrieval;
import io.warden.clinical.SearchHit;
import io.warden.clinical.SearchQuery;
import io.warden.clinical.SeriesVectors;
import io.warden.clinical.Vote;
import io.warden.clinical.cohort.CohortOwners;
import io.warden.policy.ApprovalRequired;
import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.policy.GatewayDenied;
import io.warden.policy.GatewayRequest;
import io.warden.policy.GrantedTool;
import io.warden.policy.InMemoryKillSwitches;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.OnBehalfOf;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.policy.RateLimits;
import io.warden.policy.ReasonCodes;
import io.warden.policy.ToolCall;
import io.warden.policy.ToolOutcome;
import io.warden.policy.internal.backend.BackendAnswer;
import io.warden.policy.internal.backend.BackendFailure;
import io.warden.policy.internal.backend.ToolBackendClient;
import io.warden.registry.AgentActivity;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.AgentViews;
import io.warden.registry.BackendKind;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryGroup;
import io.warden.registry.DirectoryUser;
import io.warden.registry.Page;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert;
import org.assertj.core.data.Offset;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway pipeline with each of its collaborators failing in turn: every failure denies, with the
 * right status and reason, and nothing reaches the retrieval service without its decision audited.
 * The collaborators are small fakes of their ports (test code only).
 */
class GatewayServiceTests {

    final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
    final AtomicBoolean auditBroken = new AtomicBoolean();
    final AtomicBoolean outcomeCommitFails = new AtomicBoolean();
    final AtomicInteger retrievalCalls = new AtomicInteger();
    final AtomicBoolean retrievalSlow = new AtomicBoolean();
    /** The people in the loop of the gateways these tests build; a test replaces it before building one. */
    PeopleInTheLoop people = PeopleInTheLoop.none();
    /** The governed collections: "collection" of scope ct-deid, "derm-collection" of derm-phi. */
    final Map<String, CollectionInfo> collections = new ConcurrentHashMap<>(Map.of(
            "collection", collection("collection", "ct-deid"),
            "derm-collection", collection("derm-collection", "derm-phi")));

    final CollectionCatalog collectionCatalog = name -> Optional.ofNullable(collections.get(name));

    static CollectionInfo collection(String name, String scope) {
        return new CollectionInfo(
                name,
                name,
                scope,
                Modality.TEXT,
                "test-model",
                IndexKind.FLAT,
                true,
                "label",
                CollectionInfo.Status.ACTIVE,
                1);
    }

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final GatewayMetrics metrics = new GatewayMetrics(meters, Clock.systemUTC());

    final AgentView agent = AgentViews.anAgent()
            .withName("Demo")
            .withPurpose("p")
            .withStatus(AgentStatus.ACTIVE)
            .withClientId("agent-client")
            .withDataScopes("ct-deid", "derm-phi")
            .withTools("text-search", "classify", "fhir-lookup", "notes-api", "ct-api")
            .withPurposesOfUse(PurposeOfUse.TREAT, PurposeOfUse.HRESCH)
            .withPhiApprovedScopes("derm-phi")
            .approvedAt(Instant.EPOCH)
            .withVersion(3)
            .build();

    AuditLog audit = new AuditLog() {
        public AuditRecord append(AuditEvent event) {
            if (auditBroken.get()) {
                throw new AuditWriteFailed("the database is down");
            }
            audited.add(event);
            return new AuditRecord(audited.size(), Instant.EPOCH, 1, event, new byte[32]);
        }

        public CompletableFuture<AuditRecord> appendQueued(AuditEvent event) {
            if (outcomeCommitFails.get() && event.action().equals("gateway.outcome")) {
                return CompletableFuture.failedFuture(new AuditWriteFailed("the commit failed"));
            }
            return CompletableFuture.completedFuture(append(event));
        }
    };

    /** What the fake retrieval service answers: two hits by default, one outside the dataset decided on. */
    final AtomicReference<List<SearchHit>> answer = new AtomicReference<>(List.of(
            new SearchHit("a", 0.9f, Map.of("dataset", "derm-phi", "patient_id", "123", "label", "x")),
            new SearchHit("b", 0.8f, Map.of("dataset", "elsewhere"))));

    final List<SearchQuery> queries = new CopyOnWriteArrayList<>();

    Retrieval retrieval = new Retrieval() {
        public Neighbours search(String collection, SearchQuery query, int k, Map<String, String> filter) {
            retrievalCalls.incrementAndGet();
            queries.add(query);
            if (retrievalSlow.get()) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new Neighbours(collection, 7, answer.get());
        }

        public Vote classify(String c, SearchQuery q, int k, String l, boolean w, Map<String, String> f) {
            throw new UnsupportedOperationException("not used: the gateway votes over the allowed neighbours");
        }

        public Status status() {
            throw new UnsupportedOperationException("not used");
        }
    };

    CatalogQueries catalog = (CatalogQueries) Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {CatalogQueries.class},
            (proxy, method, args) -> switch (method.getName()) {
                case "tool" ->
                    switch ((String) args[0]) {
                        case "text-search" ->
                            new ToolView(
                                    "text-search",
                                    "t",
                                    "",
                                    "retrieval",
                                    new TreeSet<>(),
                                    50,
                                    SensitivityLabel.HIGHLY_CONFIDENTIAL,
                                    false,
                                    1);
                        case "classify" ->
                            new ToolView(
                                    "classify",
                                    "c",
                                    "",
                                    "retrieval",
                                    new TreeSet<>(),
                                    25,
                                    SensitivityLabel.HIGHLY_CONFIDENTIAL,
                                    false,
                                    1);
                        case "scoped-search" ->
                            new ToolView(
                                    "scoped-search",
                                    "s",
                                    "",
                                    "retrieval",
                                    new TreeSet<>(Set.of("registry-only")),
                                    50,
                                    SensitivityLabel.HIGHLY_CONFIDENTIAL,
                                    false,
                                    1);
                        case "internal-search" ->
                            new ToolView(
                                    "internal-search",
                                    "i",
                                    "",
                                    "retrieval",
                                    new TreeSet<>(),
                                    50,
                                    SensitivityLabel.INTERNAL,
                                    false,
                                    1);
                        case "fhir-lookup" ->
                            backendTool(
                                    "fhir-lookup",
                                    new ToolBackend.Mcp("fhir", "lookup", true),
                                    false,
                                    "ct-deid",
                                    "derm-phi");
                        case "notes-api" ->
                            backendTool(
                                    "notes-api",
                                    new ToolBackend.Http(
                                            "POST",
                                            "https://notes.example/q",
                                            Duration.ofSeconds(1),
                                            1000,
                                            null,
                                            false),
                                    true,
                                    "derm-phi");
                        case "ct-api" ->
                            backendTool(
                                    "ct-api",
                                    new ToolBackend.Http(
                                            "POST", "https://ct.example/q", Duration.ofSeconds(1), 1000, null, false),
                                    true,
                                    "ct-deid");
                        default -> throw new RegistryException.NotFound("tool", args[0]);
                    };
                case "dataScope" ->
                    switch ((String) args[0]) {
                        case "ct-deid" ->
                            new DataScopeView(
                                    "ct-deid",
                                    "CT",
                                    "",
                                    SensitivityLabel.INTERNAL,
                                    false,
                                    true,
                                    new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                                    new TreeSet<>(),
                                    false,
                                    1);
                        case "derm-phi" ->
                            new DataScopeView(
                                    "derm-phi",
                                    "Derm",
                                    "",
                                    SensitivityLabel.HIGHLY_CONFIDENTIAL,
                                    true,
                                    false,
                                    new TreeSet<>(Set.of(PurposeOfUse.TREAT, PurposeOfUse.HRESCH)),
                                    new TreeSet<>(),
                                    false,
                                    1);
                        default -> throw new RegistryException.NotFound("data-scope", args[0]);
                    };
                default -> throw new UnsupportedOperationException(method.getName());
            });

    AgentActivity activity = lastActivity -> {};

    AgentQueries agents = new AgentQueries() {
        public Optional<AgentView> findAgent(AgentId id) {
            return Optional.empty();
        }

        public Optional<AgentView> findAgentByClientId(String clientId) {
            return clientId.equals("agent-client") ? Optional.of(agent) : Optional.empty();
        }

        public List<AgentId> dormantSince(Instant before) {
            throw new UnsupportedOperationException("not used");
        }

        public List<AgentId> recertificationDue(Instant by) {
            throw new UnsupportedOperationException("not used");
        }

        public Map<AgentId, String> ownersOfLiveAgents() {
            throw new UnsupportedOperationException("not used");
        }

        public AgentView get(AgentId id) {
            throw new UnsupportedOperationException("not used");
        }

        public Page<AgentView> search(AgentFilter filter, @Nullable Integer page, @Nullable Integer size) {
            throw new UnsupportedOperationException("not used");
        }
    };

    /** The tests' kill switches, resolving the agent, tools and datasets as the registry fakes above do. */
    final InMemoryKillSwitches switches = new InMemoryKillSwitches(agents, catalog, Clock.systemUTC());

    Directory directory = new Directory() {
        public Optional<DirectoryUser> findUser(String id) {
            return Optional.of(new DirectoryUser(id, id, id, null, true, false, null));
        }

        public Map<String, DirectoryUser> findUsers(Collection<String> ids) {
            throw new UnsupportedOperationException("not used");
        }

        public List<DirectoryGroup> groupsOf(String userId) {
            throw new UnsupportedOperationException("not used");
        }

        public Optional<DirectoryGroup> findGroup(String id) {
            throw new UnsupportedOperationException("not used");
        }

        public List<DirectoryUser> searchUsers(String text, int limit) {
            throw new UnsupportedOperationException("not used");
        }
    };

    /** Admits {@code allowance} calls, then refuses each with {@code reason}; the store's own tests are PostgresRateLimitsTests. */
    static RateLimits allowing(int allowance, String reason) {
        AtomicInteger left = new AtomicInteger(allowance);
        return (RateLimits) Proxy.newProxyInstance(
                GatewayServiceTests.class.getClassLoader(),
                new Class<?>[] {RateLimits.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("admit")) {
                        throw new UnsupportedOperationException("not used");
                    }
                    return left.getAndDecrement() > 0
                            ? new RateLimits.Admission.Admitted()
                            : new RateLimits.Admission.Refused(reason, 7);
                });
    }

    GatewayService gateway(PolicyDecisionPoint pdp, RateLimits limits) {
        return gateway(pdp, limits, Duration.ofMillis(300), new CallAdmission(1000, Duration.ZERO));
    }

    GatewayService gateway(PolicyDecisionPoint pdp, RateLimits limits, Duration deadline, CallAdmission admission) {
        return new GatewayService(
                agents,
                catalog,
                activity,
                directory,
                switches,
                pdp,
                audit,
                retrieval,
                Clock.systemUTC(),
                deadline,
                limits,
                new PolicyCache(Duration.ofSeconds(30)),
                Duration.ofSeconds(1),
                metrics,
                CohortOwners.NONE,
                List.of(),
                collectionCatalog,
                SeriesVectors.NONE,
                admission,
                people,
                GatewaySpans.NONE);
    }

    GatewayService gateway(PolicyDecisionPoint pdp) {
        return gateway(pdp, allowing(1000, ReasonCodes.RATE_LIMITED));
    }

    GatewayService gateway() {
        return gateway(new EmbeddedPolicyDecisionPoint());
    }

    static GatewayRequest request(String dataset, @Nullable String purpose) {
        return request(dataset.equals("derm-phi") ? "derm-collection" : "collection", dataset, purpose);
    }

    static GatewayRequest request(String collection, String dataset, @Nullable String purpose) {
        return GatewayRequest.search(collection, dataset, purpose, "chest", null, 500, null);
    }

    @Test
    void aCollectionIsReadOnlyWithinItsDataScopeWhileActiveAndEachRefusalIsRecorded() {
        GatewayService gateway = gateway();
        assertDenied(
                () -> gateway.call("agent-client", "text-search", request("no-such", "ct-deid", "TREAT")),
                403,
                ReasonCodes.COLLECTION_UNKNOWN);
        assertDenied(
                () -> gateway.call("agent-client", "text-search", request("derm-collection", "ct-deid", "TREAT")),
                403,
                ReasonCodes.COLLECTION_NOT_IN_SCOPE);
        CollectionInfo active = Objects.requireNonNull(collections.get("collection"));
        collections.put(
                "collection",
                new CollectionInfo(
                        active.name(),
                        active.displayName(),
                        active.dataScope(),
                        active.modality(),
                        active.embeddingModel(),
                        active.indexKind(),
                        active.deidentified(),
                        active.labelField(),
                        CollectionInfo.Status.RETIRED,
                        active.currentVersion()));
        assertDenied(
                () -> gateway.call("agent-client", "text-search", request("ct-deid", "TREAT")),
                403,
                ReasonCodes.COLLECTION_UNKNOWN);
        assertThat(retrievalCalls.get())
                .as("no refused call reached the retrieval service")
                .isZero();
        assertThat(audited)
                .filteredOn(event -> event.reasons().contains(ReasonCodes.COLLECTION_UNKNOWN)
                        || event.reasons().contains(ReasonCodes.COLLECTION_NOT_IN_SCOPE))
                .as("each refusal recorded")
                .hasSize(3);
    }

    @Test
    void anAllowedCallHasItsObligationsAppliedAndBothRecordsAudited() {
        var result = gateway().call("agent-client", "text-search", request("derm-phi", "HRESCH"));
        assertThat(result.k()).isEqualTo(50);
        assertThat(result.hits()).singleElement().satisfies(hit -> {
            assertThat(hit.id()).isEqualTo("a");
            assertThat(hit.metadata()).doesNotContainKey("patient_id").containsEntry("label", "x");
        });
        assertThat(audited).extracting(AuditEvent::action).containsExactly("gateway.decision", "gateway.outcome");
        assertThat(audited.getFirst().decision()).isEqualTo("PERMIT");
        assertThat(audited.getFirst().requestDigest()).matches("[0-9a-f]{64}").doesNotContain("chest");
    }

    static GatewayRequest classifyByText(String text, boolean weighted) {
        return new GatewayRequest("collection", "derm-phi", "HRESCH", text, null, null, null, 5, null, weighted, null);
    }

    static CollectionInfo collection(Modality modality, String labelField) {
        return new CollectionInfo(
                "collection",
                "Findings",
                "derm-phi",
                modality,
                "all-MiniLM-L6-v2",
                IndexKind.FLAT,
                false,
                labelField,
                CollectionInfo.Status.ACTIVE,
                7);
    }

    @Test
    void aDecisionOfOpaIsRecordedWithItsEngineRevisionAndAnInputThatDecidesAlike() {
        var embedded = new EmbeddedPolicyDecisionPoint();
        PolicyDecisionPoint opa = new PolicyDecisionPoint() {
            @Override
            public Decision decide(DecisionInput input) {
                Decision decided = embedded.decide(input);
                return new Decision(
                        decided.allow(), decided.reasons(), decided.obligations(), "d-7", "warden-gateway-policy-3");
            }

            @Override
            public String engine() {
                return "opa";
            }
        };
        gateway(opa).call("agent-client", "text-search", request("derm-phi", "HRESCH"));
        AuditEvent decision = audited.getFirst();
        assertThat(decision.details())
                .containsEntry("policyEngine", "opa")
                .containsEntry("policyRules", "3")
                .containsEntry("policyRevision", "warden-gateway-policy-3")
                .doesNotContainKey("policyData"); // this instance applied no policy change: no version to name
        DecisionInput recorded = DecisionJson.input(
                JsonMapper.builder().build().readTree(decision.details().get("input")), Instant.EPOCH);
        assertThat(embedded.decide(recorded).allow()).isTrue();
        assertThat(decision.decision()).isEqualTo("PERMIT");
    }

    @Test
    void classifyVotesOverTheNeighboursTheAgentMaySeeOnTheCollectionsLabelFieldWithTheEvidence() {
        collections.put("collection", collection(Modality.TEXT, "finding"));
        answer.set(List.of(
                new SearchHit("a", 0.9f, Map.of("dataset", "derm-phi", "finding", "eczema")),
                new SearchHit("b", 0.85f, Map.of("dataset", "elsewhere", "finding", "eczema")),
                new SearchHit("c", 0.8f, Map.of("dataset", "derm-phi", "finding", "psoriasis", "label", "eczema")),
                new SearchHit("d", 0.7f, Map.of("dataset", "derm-phi", "finding", "psoriasis")),
                new SearchHit("e", 0.6f, Map.of("dataset", "elsewhere", "finding", "eczema"))));

        var result = gateway().call("agent-client", "classify", classifyByText("scaly plaques", false));

        // b and e are outside the dataset decided on: counted, they would have made it eczema 3 to 2
        GatewayService.Verdict verdict = Objects.requireNonNull(result.verdict());
        assertThat(verdict.label()).isEqualTo("psoriasis");
        assertThat(verdict.labelField()).isEqualTo("finding");
        assertThat(verdict.labels())
                .containsExactly(
                        new GatewayService.LabelVotes("psoriasis", 2.0), new GatewayService.LabelVotes("eczema", 1.0));
        assertThat(result.hits()).extracting(SearchHit::id).containsExactly("a", "c", "d");
        assertThat(result.collection()).isEqualTo("collection");
        assertThat(result.collectionVersion()).isEqualTo(7);
        assertThat(queries).singleElement().isEqualTo(new SearchQuery.Text("scaly plaques"));
        assertThat(audited.getLast().action()).isEqualTo("gateway.outcome");
        assertThat(audited.getLast().details())
                .containsEntry("collectionVersion", "7")
                .containsEntry("hits", "3")
                .doesNotContainKey("label");

        var weighted = gateway().call("agent-client", "classify", classifyByText("scaly plaques", true));
        assertThat(Objects.requireNonNull(weighted.verdict())
                        .labels()
                        .getFirst()
                        .votes())
                .isCloseTo(1.5, Offset.offset(1e-5));
    }

    @Test
    void aBuiltinCallWithoutItsQueryOrWithOneItDoesNotTakeIsRefusedNamingTheField() {
        var none = new GatewayRequest("collection", "derm-phi", "HRESCH", null, null, null, null, 5, null, false, null);
        assertThatThrownBy(() -> gateway().call("agent-client", "classify", none))
                .isInstanceOfSatisfying(GatewayDenied.class, e -> {
                    assertThat(e.field()).isEqualTo("text");
                    assertThat(e.reasons()).containsExactly(ReasonCodes.INVALID_REQUEST);
                });
        var image = new GatewayRequest(
                "collection", "derm-phi", "HRESCH", null, null, new byte[] {1}, null, 5, null, false, null);
        assertThatThrownBy(() -> gateway().call("agent-client", "text-search", image))
                .isInstanceOfSatisfying(
                        GatewayDenied.class, e -> assertThat(e.field()).isEqualTo("image"));
        var two = new GatewayRequest(
                "collection", "derm-phi", "HRESCH", "x", null, new byte[] {1}, null, 5, null, false, null);
        assertThatThrownBy(() -> gateway().call("agent-client", "classify", two))
                .isInstanceOfSatisfying(
                        GatewayDenied.class, e -> assertThat(e.field()).isEqualTo("image"));
        assertThat(retrievalCalls).hasValue(0);
        assertThat(audited)
                .isNotEmpty()
                .allSatisfy(event -> assertThat(event.reasons()).contains(ReasonCodes.INVALID_REQUEST));
    }

    @Test
    void anImageForACollectionOfAnotherModalityIsRefusedNotSearched() {
        collections.put("collection", collection(Modality.TEXT, "label"));
        var image = new GatewayRequest(
                "collection", "derm-phi", "HRESCH", null, null, new byte[] {1}, null, 5, null, false, null);
        assertDenied(() -> gateway().call("agent-client", "classify", image), 400, "wrong-modality");
        assertThat(retrievalCalls).hasValue(0);
    }

    @Test
    void anUnknownAgentIs401AndAudited() {
        assertDenied(
                () -> gateway().call("stranger", "text-search", request("ct-deid", "TREAT")),
                401,
                ReasonCodes.AGENT_UNKNOWN);
        assertThat(audited)
                .singleElement()
                .satisfies(e -> assertThat(e.decision()).isEqualTo("DENY"));
        assertThat(retrievalCalls).hasValue(0);
    }

    @Test
    void aKillSwitchDenies() {
        switches.engage(KillSwitchScope.AGENT, "agent-client", "runaway loop", "ada");
        assertDenied(
                () -> gateway().call("agent-client", "text-search", request("ct-deid", "TREAT")),
                403,
                ReasonCodes.KILL_SWITCH);
        assertThat(retrievalCalls).hasValue(0);
    }

    @Test
    void theRateLimitAnswers429WithRetryAfter() {
        GatewayService limited = gateway(new EmbeddedPolicyDecisionPoint(), allowing(1, ReasonCodes.RATE_LIMITED));
        limited.call("agent-client", "text-search", request("ct-deid", "TREAT"));
        assertThatThrownBy(() -> limited.call("agent-client", "text-search", request("ct-deid", "TREAT")))
                .isInstanceOfSatisfying(GatewayDenied.class, e -> {
                    assertThat(Problems.status(e.kind()).value()).isEqualTo(429);
                    assertThat(e.reasons()).containsExactly(ReasonCodes.RATE_LIMITED);
                    assertThat(e.retryAfterSeconds()).isEqualTo(7);
                });
        assertThat(audited.getLast().decision()).isEqualTo("DENY");
        assertThat(audited.getLast().reasons()).containsExactly(ReasonCodes.RATE_LIMITED);
        assertThat(retrievalCalls).hasValue(1);
    }

    @Test
    void aSpentQuotaAnswers429AndAnUnreachableStore503BothAudited() {
        GatewayService spent = gateway(new EmbeddedPolicyDecisionPoint(), allowing(0, ReasonCodes.QUOTA_EXHAUSTED));
        assertThatThrownBy(() -> spent.call("agent-client", "text-search", request("ct-deid", "TREAT")))
                .isInstanceOfSatisfying(GatewayDenied.class, e -> {
                    assertThat(Problems.status(e.kind()).value()).isEqualTo(429);
                    assertThat(e.reasons()).containsExactly(ReasonCodes.QUOTA_EXHAUSTED);
                    assertThat(e.retryAfterSeconds()).isEqualTo(7);
                });
        assertThat(audited.getLast().reasons()).containsExactly(ReasonCodes.QUOTA_EXHAUSTED);
        GatewayService unreachable =
                gateway(new EmbeddedPolicyDecisionPoint(), allowing(0, ReasonCodes.RATE_LIMIT_UNAVAILABLE));
        assertDenied(
                () -> unreachable.call("agent-client", "text-search", request("ct-deid", "TREAT")),
                503,
                ReasonCodes.RATE_LIMIT_UNAVAILABLE);
        assertThat(retrievalCalls).as("nothing forwarded").hasValue(0);
    }

    @Test
    void aDecisionPointThatCannotDecideDeniesWith503() {
        GatewayService broken = gateway(input ->
                new Decision(false, List.of(ReasonCodes.DECISION_UNAVAILABLE), Decision.Obligations.none(), null));
        assertDenied(
                () -> broken.call("agent-client", "text-search", request("ct-deid", "TREAT")),
                503,
                ReasonCodes.DECISION_UNAVAILABLE);
        assertThat(retrievalCalls).hasValue(0);
    }

    @Test
    void nothingIsForwardedWhenTheDecisionCannotBeAudited() {
        auditBroken.set(true);
        assertDenied(
                () -> gateway().call("agent-client", "text-search", request("ct-deid", "TREAT")),
                503,
                ReasonCodes.AUDIT_UNAVAILABLE);
        assertThat(retrievalCalls).as("no audit, no access").hasValue(0);
    }

    @Test
    void aCallInFlightIsCancelledWhenAKillSwitchCoveringItIsEngaged() throws Exception {
        retrievalSlow.set(true);
        GatewayService gateway = new GatewayService(
                agents,
                catalog,
                activity,
                directory,
                switches,
                new EmbeddedPolicyDecisionPoint(),
                audit,
                retrieval,
                Clock.systemUTC(),
                Duration.ofSeconds(30),
                allowing(100, ReasonCodes.RATE_LIMITED),
                new PolicyCache(Duration.ofSeconds(30)),
                Duration.ofSeconds(1),
                metrics,
                CohortOwners.NONE,
                List.of(),
                collectionCatalog,
                SeriesVectors.NONE,
                new CallAdmission(1000, Duration.ZERO),
                people,
                GatewaySpans.NONE);
        var call = CompletableFuture.supplyAsync(
                () -> gateway.call("agent-client", "text-search", request("ct-deid", "TREAT")));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> retrievalCalls.get() == 1);
        long engaged = System.nanoTime();
        switches.engage(KillSwitchScope.AGENT, "agent-client", "runaway loop", "ada");
        assertThat(call)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableThat()
                .havingCause()
                .isInstanceOfSatisfying(GatewayDenied.class, denied -> {
                    assertThat(Problems.status(denied.kind()).value()).isEqualTo(403);
                    assertThat(denied.reasons()).containsExactly(ReasonCodes.KILL_SWITCH);
                });
        assertThat(Duration.ofNanos(System.nanoTime() - engaged))
                .as("not left to run its 2 s")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(audited).extracting(AuditEvent::action).containsExactly("gateway.decision", "gateway.outcome");
        assertThat(audited.getLast().outcome()).isEqualTo(Outcome.MINOR_FAILURE);
    }

    @Test
    void beyondItsLimitOfCallsInFlightTheGatewayRefusesAtOnceAndServesAgainWhenOneEnds() throws Exception {
        retrievalSlow.set(true);
        GatewayService gateway = gateway(
                new EmbeddedPolicyDecisionPoint(),
                allowing(100, ReasonCodes.RATE_LIMITED),
                Duration.ofSeconds(30),
                new CallAdmission(1, Duration.ofMillis(20)));
        var first = CompletableFuture.supplyAsync(
                () -> gateway.call("agent-client", "text-search", request("ct-deid", "TREAT")));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> retrievalCalls.get() == 1);

        long asked = System.nanoTime();
        assertThatThrownBy(() -> gateway.call("agent-client", "text-search", request("ct-deid", "TREAT")))
                .isInstanceOfSatisfying(GatewayDenied.class, e -> {
                    assertThat(Problems.status(e.kind()).value()).isEqualTo(503);
                    assertThat(e.reasons()).containsExactly(ReasonCodes.OVERLOADED);
                    assertThat(e.retryAfterSeconds()).isEqualTo(1);
                });
        assertThat(Duration.ofNanos(System.nanoTime() - asked))
                .as("refused after the admission wait, not after the call in flight")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(retrievalCalls).as("a refused call runs nothing").hasValue(1);
        assertThat(audited)
                .filteredOn(event -> event.reasons().contains(ReasonCodes.OVERLOADED))
                .as("the refusal is recorded, with the agent's client")
                .singleElement()
                .satisfies(event -> assertThat(event.action()).isEqualTo("gateway.decision"));

        retrievalSlow.set(false);
        first.get(10, TimeUnit.SECONDS);
        assertThat(gateway.call("agent-client", "text-search", request("ct-deid", "TREAT"))
                        .hits())
                .as("the place of the call that ended is free again")
                .isNotEmpty();
    }

    // ---- people in the loop: on-behalf-of calls and per-call approvals --------------------------------------

    static final OnBehalfOf CLINICIAN = new OnBehalfOf("u-clinician", OnBehalfOf.TOKEN_EXCHANGE);

    /** People whose only entitlement is derm-phi for treatment, no break-glass group; approvals as given. */
    PeopleInTheLoop dermatologyOnly(PeopleInTheLoop.CallApprovals approvals) {
        return new PeopleInTheLoop(
                onBehalfOf -> new DecisionInput.Person(
                        onBehalfOf.personId(), Map.of("derm-phi", Set.of(PurposeOfUse.TREAT)), false),
                approvals,
                use -> {
                    throw new AssertionError("no break-glass call here");
                });
    }

    @Test
    void aCallOnBehalfOfAPersonWithoutTheDatasetIsDeniedWhileTheAgentAloneIsServedAndBothAreRecorded() {
        people = dermatologyOnly(PeopleInTheLoop.CallApprovals.NONE);
        GatewayService gateway = gateway();
        var presented = new GatewayService.Presented(CLINICIAN, null, null);
        assertDenied(
                () -> gateway.call("agent-client", "text-search", request("ct-deid", "TREAT"), presented),
                403,
                ReasonCodes.PERSON_SCOPE_NOT_ENTITLED);
        assertThat(retrievalCalls).as("nothing forwarded for the person").hasValue(0);
        assertThat(audited.getLast().details())
                .containsEntry("onBehalfOf", "u-clinician")
                .containsEntry("delegation", OnBehalfOf.TOKEN_EXCHANGE);

        assertThat(gateway.call("agent-client", "text-search", request("ct-deid", "TREAT"))
                        .hits())
                .as("the agent alone may read it")
                .isNotEmpty();
        assertThat(gateway.call("agent-client", "text-search", request("derm-phi", "TREAT"), presented)
                        .hits())
                .as("on the person's behalf where both may read")
                .isNotEmpty();
        assertThat(audited)
                .filteredOn(event -> event.action().equals("gateway.outcome"))
                .last()
                .satisfies(event -> assertThat(event.details()).containsEntry("onBehalfOf", "u-clinician"));
    }

    @Test
    void aCallOnBehalfOfAPersonWhoseEntitlementsCannotBeReadIsRefused() {
        people = PeopleInTheLoop.none();
        assertDenied(
                () -> gateway()
                        .call(
                                "agent-client",
                                "text-search",
                                request("ct-deid", "TREAT"),
                                new GatewayService.Presented(CLINICIAN, null, null)),
                503,
                ReasonCodes.DECISION_UNAVAILABLE);
        assertThat(retrievalCalls).hasValue(0);
    }

    /** Approvals kept in memory, as the tests need them: granted ids, each bound to the digest it was asked for. */
    static final class Approvals implements PeopleInTheLoop.CallApprovals {
        final Map<String, String> granted = new ConcurrentHashMap<>();
        final List<PeopleInTheLoop.Pending> parked = new CopyOnWriteArrayList<>();

        @Override
        public boolean valid(String approvalId, PeopleInTheLoop.Pending call) {
            return call.digest().equals(granted.get(approvalId));
        }

        @Override
        public boolean consume(String approvalId, PeopleInTheLoop.Pending call) {
            return granted.remove(approvalId, call.digest());
        }

        @Override
        public ApprovalRequired park(PeopleInTheLoop.Pending call) {
            parked.add(call);
            return new ApprovalRequired(
                    "ap-" + parked.size(),
                    URI.create("https://warden.test/portal/approvals/ap-" + parked.size()),
                    Instant.EPOCH);
        }
    }

    @Test
    void aCallThatNeedsAnApprovalIsParkedThenServedOnceWithItAndNeverWithOtherArguments() {
        Approvals approvals = new Approvals();
        people = dermatologyOnly(approvals);
        // the tool is marked for per-call approval, as the registry would say it
        PolicyDecisionPoint marked = input -> new EmbeddedPolicyDecisionPoint()
                .decide(new DecisionInput(
                        input.agent(),
                        new DecisionInput.Tool(
                                input.tool().key(),
                                input.tool().maxK(),
                                input.tool().requiredScopes(),
                                input.tool().sensitivity(),
                                true),
                        input.dataset(),
                        input.purposeOfUse(),
                        input.request(),
                        input.killSwitches(),
                        input.time(),
                        input.person()));
        GatewayService gateway = gateway(marked);
        assertThatThrownBy(() -> gateway.call("agent-client", "text-search", request("ct-deid", "TREAT")))
                .isInstanceOfSatisfying(
                        ApprovalRequired.class,
                        parked -> assertThat(parked.approvalId()).isEqualTo("ap-1"));
        assertThat(retrievalCalls).as("a parked call is not forwarded").hasValue(0);
        assertThat(approvals.parked).singleElement().satisfies(pending -> {
            assertThat(pending.agentName()).isEqualTo("Demo");
            assertThat(pending.shown()).containsEntry("dataset", "ct-deid").containsEntry("text", "chest");
        });
        assertThat(audited.getLast().details()).containsEntry("approvalRequired", "true");

        approvals.granted.put("ap-1", approvals.parked.getFirst().digest());
        var other = new GatewayService.Presented(null, null, "ap-1");
        assertDenied(
                () -> gateway.call("agent-client", "text-search", request("derm-phi", "TREAT"), other),
                403,
                ReasonCodes.APPROVAL_INVALID);
        assertThat(gateway.call("agent-client", "text-search", request("ct-deid", "TREAT"), other)
                        .hits())
                .isNotEmpty();
        assertThat(audited)
                .filteredOn(event -> event.action().equals("gateway.decision"))
                .last()
                .satisfies(event -> assertThat(event.details()).containsEntry("approval", "ap-1"));
        assertDenied(
                () -> gateway.call("agent-client", "text-search", request("ct-deid", "TREAT"), other),
                403,
                ReasonCodes.APPROVAL_INVALID);
        assertThat(retrievalCalls).as("one approval, one call").hasValue(1);
    }

    @Test
    void anOutcomeRecordThatFailsToCommitAfterTheAnswerIsCountedAsLost() {
        outcomeCommitFails.set(true);
        GatewayService gateway = gateway();
        assertThat(gateway.call("agent-client", "text-search", request("ct-deid", "TREAT"))
                        .hits())
                .isNotEmpty();
        assertThat(audited)
                .extracting(AuditEvent::action)
                .as("the decision was durable before forwarding")
                .containsExactly("gateway.decision");
        assertThat(gateway.lostOutcomeRecords()).isEqualTo(1);
    }

    @Test
    void aRetrievalServiceThatMissesItsDeadlineIs503AndTheFailureIsAudited() {
        retrievalSlow.set(true);
        assertDenied(
                () -> gateway().call("agent-client", "text-search", request("ct-deid", "TREAT")),
                503,
                ReasonCodes.RETRIEVAL_UNAVAILABLE);
        assertThat(audited).extracting(AuditEvent::action).containsExactly("gateway.decision", "gateway.outcome");
        assertThat(audited.getLast().outcome()).isEqualTo(Outcome.SERIOUS_FAILURE);
    }

    @Test
    void unknownToolsDatasetsAndPurposesAreRefused() {
        assertDenied(
                () -> gateway().call("agent-client", "nope", request("ct-deid", "TREAT")),
                403,
                ReasonCodes.UNKNOWN_TOOL);
        assertDenied(
                () -> gateway().call("agent-client", "text-search", request("nope", "TREAT")),
                403,
                ReasonCodes.UNKNOWN_DATASET);
        assertDenied(
                () -> gateway().call("agent-client", "text-search", request("ct-deid", "SNOOP")),
                400,
                ReasonCodes.INVALID_REQUEST);
    }

    @Test
    void anUnknownPurposeLeavesADenyRecord() {
        assertDenied(
                () -> gateway().call("agent-client", "text-search", request("ct-deid", "SNOOP")),
                400,
                ReasonCodes.INVALID_REQUEST);
        assertThat(audited).singleElement().satisfies(e -> {
            assertThat(e.decision()).isEqualTo("DENY");
            assertThat(e.reasons()).containsExactly(ReasonCodes.INVALID_REQUEST);
        });
    }

    @Test
    void aToolsRequiredScopeAndSensitivityEnterTheDecision() {
        assertDenied(
                () -> gateway().call("agent-client", "scoped-search", request("ct-deid", "TREAT")),
                403,
                ReasonCodes.REQUIRED_SCOPE_NOT_GRANTED);
        assertDenied(
                () -> gateway().call("agent-client", "internal-search", request("derm-phi", "TREAT")),
                403,
                ReasonCodes.DATASET_ABOVE_TOOL_SENSITIVITY);
        assertThat(retrievalCalls).hasValue(0);
        assertThat(audited).extracting(AuditEvent::decision).containsExactly("DENY", "DENY");
    }

    @Test
    void refusalsAnAgentRepeatsAreRecordedOncePerWindowWithTheirCount() {
        GatewayService gateway = gateway();
        for (int i = 0; i < 50; i++) {
            assertDenied(
                    () -> gateway.call("stranger", "text-search", request("ct-deid", "TREAT")),
                    401,
                    ReasonCodes.AGENT_UNKNOWN);
        }
        assertThat(audited)
                .as("the first refusal is recorded at once, the rest counted")
                .hasSize(1);
        Awaitility.await()
                .pollDelay(Duration.ofMillis(1100))
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> {
                    gateway.flushRefusals();
                    assertThat(audited).hasSize(2);
                });
        assertThat(audited.getLast().details()).containsEntry("count", "49");
        assertThat(audited).allSatisfy(e -> assertThat(e.reasons()).containsExactly(ReasonCodes.AGENT_UNKNOWN));
        gateway.flushRefusals();
        assertThat(audited).as("nothing left to write").hasSize(2);
    }

    @Test
    void aCallThatMustBeDeidentifiedIsServedOnlyDeidentifiedRecordsWithoutIdentifiers() {
        var dataset = new DataScopeView(
                "derm-phi",
                "Derm",
                "",
                SensitivityLabel.HIGHLY_CONFIDENTIAL,
                true,
                false,
                new TreeSet<>(Set.of(PurposeOfUse.HRESCH)),
                new TreeSet<>(Set.of(PurposeOfUse.HRESCH)),
                false,
                1);
        var hits = List.of(
                new SearchHit("identified", 0.9f, Map.of("dataset", "derm-phi", "patient_id", "1")),
                new SearchHit(
                        "deidentified",
                        0.8f,
                        Map.of("dataset", "derm-phi", "deidentified", "true", "mrn", "2", "label", "x")));
        var kept = GatewayService.applyObligations(
                hits, new Decision.Obligations(10, List.of("derm-phi"), List.of(), true), dataset);
        assertThat(kept).singleElement().satisfies(hit -> {
            assertThat(hit.id()).isEqualTo("deidentified");
            assertThat(hit.metadata()).doesNotContainKey("mrn").containsEntry("label", "x");
        });
        var unobliged = GatewayService.applyObligations(
                hits, new Decision.Obligations(10, List.of("derm-phi"), List.of(), false), dataset);
        assertThat(unobliged).hasSize(2);
    }

    @Test
    void everyCallIsCountedByToolDecisionAndFirstReasonAndEveryDecisionIsTimed() {
        GatewayService limited = gateway(new EmbeddedPolicyDecisionPoint(), allowing(1, ReasonCodes.RATE_LIMITED));
        limited.call("agent-client", "text-search", request("derm-phi", "HRESCH"));
        assertDenied(
                () -> limited.call("agent-client", "text-search", request("ct-deid", "TREAT")),
                429,
                ReasonCodes.RATE_LIMITED);
        assertDenied(
                () -> gateway().call("stranger", "text-search", request("ct-deid", "TREAT")),
                401,
                ReasonCodes.AGENT_UNKNOWN);
        assertDenied(
                () -> gateway().call("agent-client", "text-search", request("ct-deid", null)),
                403,
                ReasonCodes.PURPOSE_REQUIRED);

        assertThat(calls("text-search", "PERMIT", "none")).isEqualTo(1);
        assertThat(calls("text-search", "DENY", ReasonCodes.RATE_LIMITED)).isEqualTo(1);
        assertThat(calls("text-search", "DENY", ReasonCodes.AGENT_UNKNOWN)).isEqualTo(1);
        assertThat(calls("text-search", "DENY", ReasonCodes.PURPOSE_REQUIRED)).isEqualTo(1);
        assertThat(meters.get("warden.gateway.rate.limited")
                        .tags("tool", "text-search", "reason", ReasonCodes.RATE_LIMITED)
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(meters.get("warden.gateway.decision").timer().count())
                .as("the permit and PURPOSE_REQUIRED reached the decision point")
                .isEqualTo(2);
        assertThat(meters.find("warden.gateway.calls").counters())
                .as("no agent or client id in any label")
                .allSatisfy(c -> assertThat(c.getId().getTags().toString())
                        .doesNotContain("agent-client")
                        .doesNotContain("stranger"));
    }

    @Test
    void callsRefusedAfterThePolicyPermittedAreCountedWithTheReasonTheAgentGot() {
        retrievalSlow.set(true);
        assertDenied(
                () -> gateway().call("agent-client", "text-search", request("ct-deid", "TREAT")),
                503,
                ReasonCodes.RETRIEVAL_UNAVAILABLE);
        retrievalSlow.set(false);
        auditBroken.set(true);
        assertDenied(
                () -> gateway().call("agent-client", "text-search", request("ct-deid", "TREAT")),
                503,
                ReasonCodes.AUDIT_UNAVAILABLE);
        assertThat(calls("text-search", "DENY", ReasonCodes.RETRIEVAL_UNAVAILABLE))
                .isEqualTo(1);
        assertThat(calls("text-search", "DENY", ReasonCodes.AUDIT_UNAVAILABLE)).isEqualTo(1);
        assertThat(meters.find("warden.gateway.calls").tag("decision", "PERMIT").counter())
                .isNull();
    }

    @Test
    void aDecisionPointThatCannotDecideIsCountedSoTheAlertCanFire() {
        GatewayService broken = gateway(input ->
                new Decision(false, List.of(ReasonCodes.DECISION_UNAVAILABLE), Decision.Obligations.none(), null));
        assertDenied(
                () -> broken.call("agent-client", "text-search", request("ct-deid", "TREAT")),
                503,
                ReasonCodes.DECISION_UNAVAILABLE);
        assertDenied(
                () -> broken.call("agent-client", "text-search", request("ct-deid", "TREAT")),
                503,
                ReasonCodes.DECISION_UNAVAILABLE);
        assertThat(meters.get("warden.policy.decision.unavailable").counter().count())
                .isEqualTo(2);
        assertThat(calls("text-search", "DENY", ReasonCodes.DECISION_UNAVAILABLE))
                .isEqualTo(2);
    }

    @Test
    void lostOutcomeRecordsAreReadByTheirCounter() {
        outcomeCommitFails.set(true);
        GatewayService gateway = gateway();
        metrics.lostOutcomeRecords(gateway, GatewayService::lostOutcomeRecords);
        gateway.call("agent-client", "text-search", request("ct-deid", "TREAT"));
        gateway.call("agent-client", "text-search", request("ct-deid", "TREAT"));
        assertThat(meters.get("warden.audit.outcome.records.lost")
                        .functionCounter()
                        .count())
                .isEqualTo(2);
    }

    private double calls(String tool, String decision, String reason) {
        var counter = meters.find("warden.gateway.calls")
                .tags("tool", tool, "decision", decision, "reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static void assertDenied(ThrowableAssert.ThrowingCallable call, int status, String reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(GatewayDenied.class, e -> {
            assertThat(Problems.status(e.kind()).value()).isEqualTo(status);
            assertThat(e.reasons()).contains(reason);
        });
    }

    // ---- MCP and HTTP tools through a fake backend client ----------------------------------------------------

    static ToolView backendTool(String key, ToolBackend target, boolean storePayloads, String... scopes) {
        return new ToolView(
                key,
                key,
                "",
                target.kind().name().toLowerCase(Locale.ROOT),
                new TreeSet<>(),
                50,
                SensitivityLabel.HIGHLY_CONFIDENTIAL,
                false,
                1,
                target,
                "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}",
                new TreeSet<>(Set.of(scopes)),
                storePayloads);
    }

    final AtomicInteger backendCalls = new AtomicInteger();
    volatile @Nullable BackendFailure backendFails;

    final class FakeClient implements ToolBackendClient {
        private final BackendKind kind;

        FakeClient(BackendKind kind) {
            this.kind = kind;
        }

        public BackendKind kind() {
            return kind;
        }

        public BackendAnswer call(
                ToolView tool, Map<String, @Nullable Object> arguments, Duration deadline, @Nullable String traceId)
                throws BackendFailure {
            backendCalls.incrementAndGet();
            if (backendFails != null) {
                throw backendFails;
            }
            return new BackendAnswer(
                    List.of(
                            Map.of("type", "text", "text", "patient 123 Jane"),
                            Map.of("type", "image", "data", "AA==")),
                    Map.of(
                            "patient",
                            Map.of("patient_id", "123", "label", "x"),
                            "items",
                            List.of(Map.of("patient_id", "9", "ok", true))),
                    false,
                    321,
                    "fhir.example:443",
                    1500);
        }
    }

    GatewayService backendGateway() {
        return new GatewayService(
                agents,
                catalog,
                activity,
                directory,
                switches,
                new EmbeddedPolicyDecisionPoint(),
                audit,
                retrieval,
                Clock.systemUTC(),
                Duration.ofMillis(300),
                allowing(1000, ReasonCodes.RATE_LIMITED),
                new PolicyCache(Duration.ofSeconds(30)),
                Duration.ofSeconds(1),
                metrics,
                CohortOwners.NONE,
                List.of(new FakeClient(BackendKind.MCP), new FakeClient(BackendKind.HTTP)),
                collectionCatalog,
                SeriesVectors.NONE,
                new CallAdmission(1000, Duration.ZERO),
                people,
                GatewaySpans.NONE);
    }

    GovernedToolGateway toolGateway(List<Runnable> policyHooks) {
        return new GovernedToolGateway(
                backendGateway(),
                agents,
                catalog,
                switches,
                new PolicyCache(Duration.ofSeconds(30)),
                collectionCatalog,
                policyHooks::add);
    }

    static ToolCall toolCall(String tool, @Nullable String dataset, @Nullable String purpose) {
        return new ToolCall(
                "agent-client", tool, Map.of("q", "chest", "n", 1.5), dataset, purpose, "trace-1", ToolCall.Edge.MCP);
    }

    @Test
    void anMcpToolIsDecidedOnOneOfItsScopesForwardedRedactedAndAudited() {
        ToolOutcome outcome = toolGateway(new ArrayList<>()).call(toolCall("fhir-lookup", "derm-phi", "HRESCH"));

        assertThat(backendCalls).hasValue(1);
        assertThat(outcome.structured())
                .isEqualTo(Map.of("patient", Map.of("label", "x"), "items", List.of(Map.of("ok", true))));
        assertThat(outcome.content())
                .as("text cannot be redacted reliably: dropped")
                .containsExactly(Map.of("type", "image", "data", "AA=="));
        assertThat(outcome.resultBytes()).isEqualTo(321);
        assertThat(audited).extracting(AuditEvent::action).containsExactly("gateway.decision", "gateway.outcome");
        AuditEvent decision = audited.getFirst();
        assertThat(decision.decision()).isEqualTo("PERMIT");
        assertThat(decision.dataset()).isEqualTo("derm-phi");
        assertThat(decision.requestDigest())
                .isEqualTo(GatewayService.argumentsDigest(Map.of("n", 1.5, "q", "chest")))
                .isEqualTo(sha256("{\"n\":1.5,\"q\":\"chest\"}"));
        assertThat(decision.details())
                .containsEntry("edge", "MCP")
                .containsEntry("traceId", "trace-1")
                .doesNotContainKey("arguments");
        AuditEvent outcomeRecord = audited.get(1);
        assertThat(outcomeRecord.details())
                .containsEntry("upstream", "fhir.example:443")
                .containsEntry("upstreamMicros", "1500")
                .containsEntry("resultBytes", "321")
                .containsEntry("edge", "MCP")
                .containsEntry("traceId", "trace-1")
                .doesNotContainKey("result");
        assertThat(outcomeRecord.requestDigest()).isEqualTo(decision.requestDigest());
    }

    @Test
    void aToolWithSeveralScopesNeedsTheCallToNameOneOfThem() {
        var gateway = toolGateway(new ArrayList<>());
        assertDenied(() -> gateway.call(toolCall("fhir-lookup", null, "TREAT")), 400, ReasonCodes.DATASET_REQUIRED);
        assertDenied(
                () -> gateway.call(toolCall("fhir-lookup", "elsewhere", "TREAT")),
                403,
                ReasonCodes.DATASET_NOT_REGISTERED);
        assertThat(backendCalls).hasValue(0);
        assertThat(audited)
                .extracting(AuditEvent::decision, e -> e.reasons().getFirst())
                .containsExactly(
                        tuple("DENY", ReasonCodes.DATASET_REQUIRED), tuple("DENY", ReasonCodes.DATASET_NOT_REGISTERED));
    }

    @Test
    void phiGoesOnlyToBackendsApprovedForIt() {
        var gateway = toolGateway(new ArrayList<>());
        assertDenied(
                () -> gateway.call(toolCall("notes-api", null, "TREAT")), 403, ReasonCodes.BACKEND_NOT_PHI_APPROVED);
        assertThat(backendCalls).hasValue(0);
        assertThat(audited).singleElement().satisfies(e -> {
            assertThat(e.decision()).isEqualTo("DENY");
            assertThat(e.dataset()).isEqualTo("derm-phi");
            assertThat(e.reasons()).containsExactly(ReasonCodes.BACKEND_NOT_PHI_APPROVED);
        });
    }

    @Test
    void aToolFlaggedToStorePayloadsKeepsItsArgumentsAndResultInTheTrail() {
        ToolOutcome outcome = toolGateway(new ArrayList<>()).call(toolCall("ct-api", null, "TREAT"));
        assertThat(outcome.content()).hasSize(2); // no redaction on a non-PHI scope for treatment: text kept
        assertThat(audited.getFirst().dataset()).isEqualTo("ct-deid");
        assertThat(audited.getFirst().details()).containsEntry("arguments", "{\"n\":1.5,\"q\":\"chest\"}");
        assertThat(audited.get(1).details().get("result")).contains("\"patient_id\":\"123\"");
    }

    @Test
    void backendFailuresMapToTheirReasonsAndAreRecordedAsOutcomes() {
        var gateway = toolGateway(new ArrayList<>());
        record Case(BackendFailure failure, int status, String reason) {}
        for (Case each : List.of(
                new Case(
                        new BackendFailure("egress-refused", "not allowlisted", false),
                        403,
                        ReasonCodes.EGRESS_REFUSED),
                new Case(new BackendFailure("upstream-timeout", "slow", false), 503, ReasonCodes.UPSTREAM_TIMEOUT),
                new Case(
                        new BackendFailure("upstream-unavailable", "down", false),
                        503,
                        ReasonCodes.UPSTREAM_UNAVAILABLE),
                new Case(new BackendFailure("response-too-large", "big", false), 503, ReasonCodes.RESPONSE_TOO_LARGE),
                new Case(
                        new BackendFailure("invalid-arguments", "q missing", true),
                        400,
                        ReasonCodes.INVALID_REQUEST))) {
            audited.clear();
            backendFails = each.failure();
            assertDenied(() -> gateway.call(toolCall("ct-api", null, "TREAT")), each.status(), each.reason());
            assertThat(audited)
                    .extracting(AuditEvent::action, AuditEvent::outcome)
                    .containsExactly(
                            tuple("gateway.decision", Outcome.SUCCESS),
                            tuple("gateway.outcome", Outcome.SERIOUS_FAILURE));
            assertThat(audited.get(1).details())
                    .containsEntry("failure", each.failure().code());
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> properties(GrantedTool tool) {
        return (Map<String, Object>) Objects.requireNonNull(tool.inputSchema().get("properties"));
    }

    @Test
    void theToolListingHidesWhatKillSwitchesCoverAndSaysWhenItChanges() {
        List<Runnable> policyHooks = new ArrayList<>();
        var gateway = toolGateway(policyHooks);
        AtomicInteger changes = new AtomicInteger();
        gateway.onToolsChanged(changes::incrementAndGet);

        assertThat(gateway.toolsFor("agent-client"))
                .extracting(GrantedTool::key)
                .containsExactly("classify", "ct-api", "fhir-lookup", "notes-api", "text-search");
        assertThat(gateway.toolsFor("agent-client").get(2).inputSchema())
                .isEqualTo(Map.of("type", "object", "properties", Map.of("q", Map.of("type", "string"))));
        // each built-in tool lists the arguments it takes, not one schema for all
        assertThat(properties(gateway.toolsFor("agent-client").getLast()))
                .containsKeys("text", "vector", "k")
                .doesNotContainKeys("image", "weighted", "series");
        assertThat(properties(gateway.toolsFor("agent-client").getFirst()))
                .containsKeys("text", "image", "vector", "k", "weighted")
                .doesNotContainKey("series")
                .containsEntry(
                        "k",
                        Map.of(
                                "type",
                                "integer",
                                "minimum",
                                1,
                                "maximum",
                                25,
                                "default",
                                10,
                                "description",
                                "How many neighbours vote"));
        assertThat(gateway.toolsFor("stranger")).isEmpty();
        assertThat(gateway.visible("agent-client", "fhir-lookup")).isTrue();
        assertThat(gateway.visible("stranger", "fhir-lookup")).isFalse();
        assertThat(gateway.visible("agent-client", "no-such-tool")).isFalse();

        var dataset = switches.engage(KillSwitchScope.DATASET, "ct-deid", "mislabelled", "ada");
        assertThat(gateway.toolsFor("agent-client"))
                .as("ct-api reads only ct-deid; fhir-lookup still has derm-phi")
                .extracting(GrantedTool::key)
                .containsExactly("classify", "fhir-lookup", "notes-api", "text-search");
        var tool = switches.engage(KillSwitchScope.TOOL, "fhir-lookup", "bad backend", "ada");
        assertThat(gateway.toolsFor("agent-client"))
                .extracting(GrantedTool::key)
                .doesNotContain("fhir-lookup");
        assertThat(gateway.visible("agent-client", "fhir-lookup")).isFalse();
        assertThat(gateway.visible("agent-client", "ct-api"))
                .as("its one data scope is switched off")
                .isFalse();
        switches.release(dataset.id(), "fixed", "bob");
        switches.release(tool.id(), "fixed", "bob");
        assertThat(gateway.toolsFor("agent-client")).hasSize(5);
        assertThat(changes).as("two engaged, two released").hasValue(4);
        policyHooks.forEach(Runnable::run);
        assertThat(changes).as("a policy change applied here").hasValue(5);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
