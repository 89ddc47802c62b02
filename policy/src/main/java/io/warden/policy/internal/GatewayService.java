package io.warden.policy.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.AuditWriteFailed;
import io.warden.audit.CanonicalJsonText;
import io.warden.audit.Outcome;
import io.warden.audit.problem.ProblemKind;
import io.warden.clinical.Classification;
import io.warden.clinical.CollectionCatalog;
import io.warden.clinical.CollectionInfo;
import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.Modality;
import io.warden.clinical.Neighbours;
import io.warden.clinical.Retrieval;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchHit;
import io.warden.clinical.SearchQuery;
import io.warden.clinical.SeriesVectors;
import io.warden.clinical.VolumeEmbeddings;
import io.warden.clinical.cohort.CohortOwners;
import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.policy.GatewayDenied;
import io.warden.policy.GatewayRequest;
import io.warden.policy.KillSwitches;
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
import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.BackendKind;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.EntitlementsUnavailable;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The gateway's pipeline, in this order for every call: the agent behind the (already validated) token →
 * kill switches → rate limits and quotas → the request's own validity → policy decision → durable audit of the
 * decision → the retrieval call with a deadline → obligations on the result → audit of the outcome (queued in
 * chain order; the answer does not wait for its commit). Any failure on the way denies (fail closed), nothing is
 * forwarded without its audit record, and every refusal after authentication is audited (those an agent can
 * repeat at will at a bounded rate, with their count). Everything up to the decision's record runs inside the
 * {@link PolicyCache}'s fence, so an instance that confirms a revocation has no PERMIT on the old state still to
 * record. Lookups are cached and dropped on every instance when the registry changes ({@link PolicyChanges});
 * activity is remembered in memory and written once a minute. Thread-safe.
 */
public final class GatewayService {

    private static final Logger log = LoggerFactory.getLogger(GatewayService.class);

    /** Refusals an agent can repeat at will: recorded at a bounded rate ({@link RefusalThrottle}). */
    private static final Set<String> REPEATABLE = Set.of(
            ReasonCodes.KILL_SWITCH,
            ReasonCodes.AGENT_UNKNOWN,
            ReasonCodes.RATE_LIMITED,
            ReasonCodes.QUOTA_EXHAUSTED,
            ReasonCodes.RATE_LIMIT_UNAVAILABLE,
            ReasonCodes.OVERLOADED,
            ReasonCodes.INVALID_REQUEST,
            ReasonCodes.AGENT_SUSPENDED,
            ReasonCodes.AGENT_RETIRED,
            ReasonCodes.AGENT_NOT_ACTIVE,
            ReasonCodes.OWNER_INACTIVE,
            ReasonCodes.UNKNOWN_TOOL,
            ReasonCodes.UNKNOWN_DATASET,
            ReasonCodes.DATASET_REQUIRED,
            ReasonCodes.DATASET_NOT_REGISTERED);
    /** Fields that identify a patient, removed from every result that must be de-identified. */
    static final List<String> IDENTIFYING_FIELDS =
            List.of("patient_id", "patient_name", "birth_date", "accession_number", "mrn", "address", "phone", "email");
    /** Backends that can serve de-identified records only (they carry the {@code deidentified} marker per record). */
    private static final Set<String> DEIDENTIFYING_BACKENDS = Set.of("retrieval");

    /**
     * A completed call: the hits after obligations, the decision that allowed it, and the evidence of what was
     * searched: the collection and the version the search ran on. A {@code classify} call also has its vote.
     */
    public record Result(
            List<SearchHit> hits,
            Decision decision,
            int k,
            String collection,
            long collectionVersion,
            @Nullable Verdict verdict) {}

    /**
     * A k-NN vote over the neighbours the agent was allowed to see.
     *
     * @param label      the Top-1 label; null when no neighbour the agent may see carries one
     * @param labels     every label the neighbours carry with its votes, most votes first (the Top-k labels)
     * @param labelField the metadata key the votes read
     * @param weighted   whether each vote counted the neighbour's similarity instead of one
     */
    public record Verdict(@Nullable String label, List<LabelVotes> labels, String labelField, boolean weighted) {}

    /** One label and its votes (counts, or summed similarities when weighted). */
    public record LabelVotes(String label, double votes) {}

    /** What a search found, and the catalog entry of the collection it searched, when there is one. */
    private record Found(Neighbours neighbours, @Nullable CollectionInfo collection) {}

    /**
     * Why the gateway refused a call, as the edges map it: REST to an HTTP status (through the problem kind that
     * {@link GatewayDenied} carries), MCP to a tool error with the reason codes.
     */
    enum Denial {
        /** The token's client is no registered agent. */
        UNAUTHENTICATED(ProblemKind.UNAUTHENTICATED),
        /** A kill switch, the policy, or a rule of the gateway refuses it. */
        FORBIDDEN(ProblemKind.FORBIDDEN),
        /** The call itself is malformed; the agent must change it. */
        INVALID(ProblemKind.INVALID),
        /** A rate limit or quota; the agent may retry later. */
        LIMITED(ProblemKind.TOO_MANY_REQUESTS),
        /** Something the gateway depends on cannot answer (decision point, audit, backend): refused, fail closed. */
        UNAVAILABLE(ProblemKind.UNAVAILABLE);

        final ProblemKind kind;

        Denial(ProblemKind kind) {
            this.kind = kind;
        }
    }

    /**
     * One call as it passes the pipeline, created once at the edge of the service and handed through admission,
     * forwarding, obligations and the outcome: everything its audit records say about it.
     *
     * @param agent    the agent behind the token, once known
     * @param backend  the kind of backend the tool forwards to
     * @param digest   SHA-256 of the request (built-in tools: their fields; other tools: the arguments' RFC 8785 form)
     * @param dataset  the data scope decided on ({@code ""} when the call named none and the tool has several)
     * @param started  {@link System#nanoTime()} when the call arrived
     * @param request  a built-in tool's request, for its details ({@code k}, {@code collection})
     * @param arguments the arguments of an MCP or HTTP tool's call
     * @param field    the field that made a call invalid, for the refusal's record
     * @param presented what the call presents beside its arguments: the person it serves, a justification, an approval
     */
    record CallContext(
            @Nullable AgentView agent,
            String clientId,
            String tool,
            BackendKind backend,
            String digest,
            @Nullable String purposeOfUse,
            String dataset,
            @Nullable String traceId,
            ToolCall.Edge edge,
            long started,
            @Nullable GatewayRequest request,
            Map<String, @Nullable Object> arguments,
            @Nullable String field,
            Presented presented,
            @Nullable String pep,
            @Nullable String correlationId) {

        /** Trace ids come from the caller: kept to a length an audit detail holds. */
        static final int TRACE_ID_CHARS = 128;

        CallContext {
            if (traceId != null && (traceId.isBlank() || traceId.length() > TRACE_ID_CHARS)) {
                traceId = traceId.isBlank() ? null : traceId.substring(0, TRACE_ID_CHARS);
            }
            // the trace the call runs in when Warden traces (an incoming traceparent continues that trace, so the
            // two agree); else the caller's own trace or request id
            if (correlationId == null) {
                correlationId = traceId;
            }
        }

        static CallContext builtin(
                String clientId,
                String tool,
                GatewayRequest request,
                ToolCall.Edge edge,
                @Nullable String traceId,
                Presented presented,
                @Nullable String correlationId) {
            return new CallContext(
                    null,
                    clientId,
                    tool,
                    BackendKind.BUILTIN,
                    GatewayService.digest(tool, request),
                    request.purposeOfUse(),
                    request.dataset(),
                    traceId,
                    edge,
                    System.nanoTime(),
                    request,
                    Map.of(),
                    null,
                    presented,
                    null,
                    correlationId);
        }

        CallContext withAgent(@Nullable AgentView agent) {
            return new CallContext(
                    agent,
                    clientId,
                    tool,
                    backend,
                    digest,
                    purposeOfUse,
                    dataset,
                    traceId,
                    edge,
                    started,
                    request,
                    arguments,
                    field,
                    presented,
                    pep,
                    correlationId);
        }

        CallContext withDataset(String dataScope) {
            return new CallContext(
                    agent,
                    clientId,
                    tool,
                    backend,
                    digest,
                    purposeOfUse,
                    dataScope,
                    traceId,
                    edge,
                    started,
                    request,
                    arguments,
                    field,
                    presented,
                    pep,
                    correlationId);
        }

        CallContext withField(String field) {
            return new CallContext(
                    agent,
                    clientId,
                    tool,
                    backend,
                    digest,
                    purposeOfUse,
                    dataset,
                    traceId,
                    edge,
                    started,
                    request,
                    arguments,
                    field,
                    presented,
                    pep,
                    correlationId);
        }

        AgentView admittedAgent() {
            return Objects.requireNonNull(agent, "admitted calls have an agent");
        }
    }

    /** A call the policy allowed, with what it was decided on. */
    /**
     * A call past its decision, with what it was decided on; {@code collection} is the catalog entry a built-in call's
     * collection was admitted with (so the search reads the same entry and the catalog once per call).
     */
    private record Admitted(
            CallContext call,
            ToolView tool,
            DataScopeView dataset,
            Decision decision,
            @Nullable CollectionInfo collection) {}

    /**
     * A refusal's record: the call, its reasons, and what the decision point decided it on (null for a refusal made
     * before the decision point: those are not replayable).
     */
    private record Refused(
            CallContext call,
            List<String> reasons,
            @Nullable DecidedOn decidedOn) {

        Refused(CallContext call, List<String> reasons) {
            this(call, reasons, null);
        }
    }

    /**
     * What a decision of the decision point was made on, recorded with it so it can be read back and decided again:
     * which decision point, the policy data version this instance had applied (-1 before it applied any), and the
     * input.
     */
    private record DecidedOn(String engine, long policyData, DecisionInput input) {}

    private final AgentQueries agents;
    private final CohortOwners cohorts;
    private final CollectionCatalog collections;
    private final CatalogQueries catalog;
    private final AgentActivity activity;
    private final Directory directory;
    private final KillSwitches killSwitches;
    private final PolicyDecisionPoint decisionPoint;
    private final AuditLog audit;
    private final Retrieval retrieval;
    private final SeriesVectors seriesVectors;
    private final Clock clock;
    private final Duration deadline;
    private final RateLimits limits;
    private final PolicyCache cache;
    private final RefusalThrottle<Refused> refusals;
    private final GatewayMetrics metrics;
    private final Map<BackendKind, ToolBackendClient> backends = new EnumMap<>(BackendKind.class);
    private final Map<AgentId, Instant> lastActive = new ConcurrentHashMap<>();
    /** A backend call under way, cancelled when a kill switch that covers it is engaged. */
    private record InFlight(AgentView agent, String tool, String dataset, Future<?> call) {}

    private final Set<InFlight> inFlightCalls = ConcurrentHashMap.newKeySet();
    private final LongAdder lostOutcomes = new LongAdder();
    private final CallAdmission admission;
    private final PeopleInTheLoop people;
    private final GatewaySpans spans;
    /** Backend calls run on virtual threads, so a slow backend ties up no platform thread. */
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param backends the clients of the backends other than the built-in ones, one per {@link BackendKind}; a tool
     *                 whose kind has none is refused UPSTREAM_UNAVAILABLE after its decision is recorded
     * @param collections the catalog of governed collections: their label field, modality and embedding model
     * @param seriesVectors reads a DICOM series into slice embeddings, for volume-search
     */
    public GatewayService(
            AgentQueries agents,
            CatalogQueries catalog,
            AgentActivity activity,
            Directory directory,
            KillSwitches killSwitches,
            PolicyDecisionPoint decisionPoint,
            AuditLog audit,
            Retrieval retrieval,
            Clock clock,
            Duration deadline,
            RateLimits limits,
            PolicyCache cache,
            Duration refusalWindow,
            GatewayMetrics metrics,
            CohortOwners cohorts,
            List<ToolBackendClient> backends,
            CollectionCatalog collections,
            SeriesVectors seriesVectors,
            CallAdmission admission,
            PeopleInTheLoop people,
            GatewaySpans spans) {
        this.spans = spans;
        this.admission = admission;
        this.people = people;
        this.cohorts = cohorts;
        this.collections = collections;
        this.seriesVectors = seriesVectors;
        this.agents = agents;
        this.catalog = catalog;
        this.activity = activity;
        this.directory = directory;
        this.killSwitches = killSwitches;
        this.decisionPoint = decisionPoint;
        this.audit = audit;
        this.retrieval = retrieval;
        this.clock = clock;
        this.deadline = deadline;
        this.limits = limits;
        this.cache = cache;
        this.refusals = new RefusalThrottle<>(refusalWindow, System::nanoTime);
        this.metrics = metrics;
        for (ToolBackendClient client : backends) {
            if (client.kind() == BackendKind.BUILTIN || this.backends.putIfAbsent(client.kind(), client) != null) {
                throw new IllegalStateException(
                        "One client per non-built-in backend kind; got two for " + client.kind());
            }
        }
        killSwitches.onEngaged(this::cancelCoveredCalls);
    }

    /**
     * Cancels (interrupts) every call in flight that a kill switch now covers; its caller gets KILL_SWITCH. Then
     * waits out the calls still deciding, so that none records a PERMIT after this instance reports the switch applied.
     */
    void cancelCoveredCalls() {
        for (InFlight call : inFlightCalls) {
            if (covers(call.agent(), call.tool(), call.dataset()).any()
                    && call.call().cancel(true)) {
                log.warn(
                        "Cancelled a {} call by {} in flight: a kill switch covers it",
                        call.tool(),
                        call.agent().clientId());
            }
        }
        cache.awaitDecisions();
    }

    private KillSwitches.Covered covers(AgentView agent, String tool, String dataset) {
        KillSwitches.Covered byId = killSwitches.covers(agent.id().toString(), tool, dataset);
        if (byId.any() || agent.clientId() == null) {
            return byId;
        }
        return killSwitches.covers(agent.clientId(), tool, dataset);
    }

    /** A built-in tool's call over the REST edge's own endpoint. */
    public Result call(String clientId, String toolKey, GatewayRequest request) {
        return call(clientId, toolKey, request, ToolCall.Edge.REST, null, Presented.NONE);
    }

    /** A built-in tool's call over the REST edge, with what it presents beside its body. */
    public Result call(String clientId, String toolKey, GatewayRequest request, Presented presented) {
        return call(clientId, toolKey, request, ToolCall.Edge.REST, null, presented);
    }

    /** As {@link #call(String, String, GatewayRequest, Presented)}, with the caller's trace or request id. */
    public Result call(
            String clientId, String toolKey, GatewayRequest request, @Nullable String traceId, Presented presented) {
        return call(clientId, toolKey, request, ToolCall.Edge.REST, traceId, presented);
    }

    /**
     * What a call presents beside its arguments: the person it serves (from a delegated token, never from the call),
     * its justification, and the approval it resubmits with.
     */
    public record Presented(
            @Nullable OnBehalfOf person,
            @Nullable String justification,
            @Nullable String approval) {

        public static final Presented NONE = new Presented(null, null, null);

        public static Presented of(ToolCall call) {
            return new Presented(call.onBehalfOf(), call.justification(), call.approval());
        }
    }

    /** A built-in tool's call, from either edge. */
    Result call(
            String clientId,
            String toolKey,
            GatewayRequest request,
            ToolCall.Edge edge,
            @Nullable String traceId,
            Presented presented) {
        CallContext call =
                CallContext.builtin(clientId, toolKey, request, edge, traceId, presented, spans.currentTraceId());
        return metrics.call(toolKey, () -> admitted(call, () -> serveBuiltin(call, false))); // counted by tool,
        // decision and reason
    }

    /**
     * Runs the call within this instance's limit of calls in flight; beyond it (after the admission wait) the call is
     * refused OVERLOADED before anything else runs, and the refusal is recorded as other repeatable ones are.
     */
    private <T> T admitted(CallContext call, Supplier<T> serve) {
        if (!admission.enter()) {
            throw deny(
                    Denial.UNAVAILABLE,
                    call,
                    List.of(ReasonCodes.OVERLOADED),
                    "Warden is serving as many calls as it is set to (" + admission.limit()
                            + " on this instance); retry shortly",
                    1);
        }
        try {
            return serve.get();
        } finally {
            admission.leave();
        }
    }

    /** An AuthZEN evaluation's answer: the decision and, for a denial, Warden's reason codes. */
    public record Evaluation(boolean decision, List<String> reasons) {}

    /** An evaluation carries no arguments: the digest of none, hashed once instead of on every decision. */
    private static final String NO_ARGUMENTS_DIGEST = argumentsDigest(Map.of());

    /**
     * Decides, without serving, whether {@code subject} may call {@code toolKey} on a data scope (or on a collection,
     * decided on its data scope) for a purpose: the gateway's agent lookup, kill switches, lifecycle state, decision
     * point and decision record, asked by the policy enforcement point {@code pepClientId}. No rate limit is spent,
     * no approval parked, no backend called. A decision the gateway would park for a person's approval is answered
     * false with APPROVAL_REQUIRED, as the gateway would refuse the call until then.
     *
     * @throws GatewayDenied FORBIDDEN when the caller is not an ACTIVE policy enforcement point without a kill switch
     */
    public Evaluation evaluate(
            String pepClientId,
            String subject,
            String toolKey,
            @Nullable String dataScope,
            @Nullable String collection,
            @Nullable String purposeOfUse) {
        // the caller's standing is read inside the fence too: once a suspension of the enforcement point is confirmed,
        // no evaluation it asked for before is still answered after
        return cache.decide(() -> {
            requirePep(pepClientId, toolKey);
            String clientId = subjectClientId(subject);
            CallContext call = authZenCall(pepClientId, clientId, toolKey, purposeOfUse, dataScope);
            try {
                if (collection != null) {
                    CollectionInfo info = collections.find(collection).orElse(null);
                    if (info == null || !info.active()) {
                        AgentView agent = cache.<AgentView>agent(clientId, () -> agents.findAgentByClientId(clientId))
                                .orElse(null);
                        throw deny(
                                Denial.FORBIDDEN,
                                call.withAgent(agent),
                                ReasonCodes.COLLECTION_UNKNOWN,
                                "No collection " + collection + " is served");
                    }
                    call = call.withDataset(info.dataScope());
                }
                Decision decision = admit(call, false).decision();
                if (decision.obligations().approvalRequired()) {
                    return new Evaluation(false, List.of(ReasonCodes.APPROVAL_REQUIRED));
                }
                return new Evaluation(true, List.of());
            } catch (GatewayDenied denied) {
                return new Evaluation(false, denied.reasons());
            }
        });
    }

    /**
     * Refuses, and records, an evaluation about something Warden does not govern (a subject that is not an agent, a
     * resource that is neither a data scope nor a collection): a well-formed question gets a deny, not an error.
     *
     * @param subject the subject as asked, {@code type:id}
     */
    public Evaluation refuseUngoverned(
            String pepClientId, String subject, String toolKey, @Nullable String dataScope, String reason) {
        return cache.decide(() -> {
            requirePep(pepClientId, toolKey);
            recordRefusal(
                    new Refused(authZenCall(pepClientId, subject, toolKey, null, dataScope), List.of(reason)), null);
            return new Evaluation(false, List.of(reason));
        });
    }

    /** Only an ACTIVE policy enforcement point that no kill switch covers may ask for decisions. */
    private void requirePep(String pepClientId, String toolKey) {
        AgentView pep = cache.<AgentView>agent(pepClientId, () -> agents.findAgentByClientId(pepClientId))
                .orElse(null);
        if (pep == null
                || pep.kind() != AgentKind.POLICY_ENFORCEMENT_POINT
                || pep.status() != AgentStatus.ACTIVE
                || covers(pep, toolKey, "").agent()) {
            throw new GatewayDenied(
                    Denial.FORBIDDEN.kind,
                    List.of(ReasonCodes.NOT_A_POLICY_ENFORCEMENT_POINT),
                    "Only an active policy enforcement point may ask for decisions",
                    0);
        }
    }

    private CallContext authZenCall(
            String pepClientId,
            String clientId,
            String toolKey,
            @Nullable String purposeOfUse,
            @Nullable String dataScope) {
        ToolView tool = cache.<ToolView>tool(toolKey, () -> found(() -> catalog.tool(toolKey)))
                .orElse(null);
        return new CallContext(
                null,
                clientId,
                toolKey,
                tool == null ? BackendKind.BUILTIN : tool.target().kind(),
                NO_ARGUMENTS_DIGEST,
                purposeOfUse,
                dataScope == null ? "" : dataScope,
                null,
                ToolCall.Edge.AUTHZEN,
                System.nanoTime(),
                null,
                Map.of(),
                null,
                Presented.NONE,
                pepClientId,
                spans.currentTraceId());
    }

    /** The subject's client id: given as such, or as the agent's registry id. */
    private String subjectClientId(String subject) {
        if (cache.<AgentView>agent(subject, () -> agents.findAgentByClientId(subject))
                .isPresent()) {
            return subject;
        }
        try {
            return agents.findAgent(AgentId.of(subject))
                    .map(AgentView::clientId)
                    .orElse(subject);
        } catch (IllegalArgumentException notAnId) {
            return subject; // no such agent: refused AGENT_UNKNOWN and recorded as the gateway does
        }
    }

    /** What a probe of this gateway with the self-test's canary got: served, or refused with these reasons. */
    public record Probe(boolean served, List<String> reasons) {}

    /**
     * Calls this instance's gateway as the self-test's canary agent, with the canary tool, through the whole
     * pipeline and its audit (the retrieval service is not called). Only the self-test calls it.
     */
    public Probe probe() {
        try {
            serveBuiltin(
                    CallContext.builtin(
                            Canary.CLIENT_ID,
                            Canary.TOOL,
                            Canary.REQUEST,
                            ToolCall.Edge.REST,
                            null,
                            Presented.NONE,
                            spans.currentTraceId()),
                    true);
            return new Probe(true, List.of());
        } catch (GatewayDenied e) {
            return new Probe(false, e.reasons());
        }
    }

    private Result serveBuiltin(CallContext call, boolean canary) {
        GatewayRequest request = Objects.requireNonNull(call.request());
        Admitted admitted = cache.decide(() -> admit(call, canary));
        CallContext admittedCall = admitted.call();
        Decision decision = admitted.decision();
        int k = Math.min(request.k(), decision.obligations().maxK());
        Map<String, String> filter = new HashMap<>(request.filter() == null ? Map.of() : request.filter());
        filter.put("dataset", request.dataset()); // obligation: only the dataset decided on
        Found found = forward(
                admittedCall,
                canary,
                () -> canary
                        // a probe proves the pipeline, not the retrieval service
                        ? new Found(new Neighbours(request.collection(), 0, List.of()), null)
                        : search(call.tool(), request, admitted.collection(), k, filter),
                deadline);
        List<SearchHit> allowed =
                applyObligations(found.neighbours().hits(), decision.obligations(), admitted.dataset());
        // the vote counts only the neighbours the agent may see: a label it may not read must not sway its answer
        Verdict verdict = call.tool().equals(BuiltinTools.CLASSIFY)
                ? vote(allowed, labelField(found.collection()), request.weighted())
                : null;
        long version = found.neighbours().version();
        recordOutcome(
                admittedCall,
                Outcome.SUCCESS,
                builder -> builder.detail("hits", allowed.size()).detail("collectionVersion", version));
        return new Result(allowed, decision, k, found.neighbours().collection(), version, verdict);
    }

    private static String labelField(@Nullable CollectionInfo collection) {
        return collection == null || collection.labelField().isBlank()
                ? BuiltinTools.DEFAULT_LABEL_FIELD
                : collection.labelField();
    }

    /** The vote over the allowed neighbours, its labels ranked by votes (ties: the label seen first). */
    static Verdict vote(List<SearchHit> neighbours, String labelField, boolean weighted) {
        if (neighbours.stream().noneMatch(hit -> hit.metadata().containsKey(labelField))) {
            return new Verdict(null, List.of(), labelField, weighted);
        }
        Classification classification = Classification.vote(neighbours, labelField, weighted);
        List<String> firstSeen = neighbours.stream()
                .map(hit -> hit.metadata().get(labelField))
                .filter(Objects::nonNull)
                .distinct()
                .toList();
        List<LabelVotes> labels = firstSeen.stream()
                .map(label -> new LabelVotes(label, classification.votes().getOrDefault(label, 0.0)))
                .sorted((a, b) -> Double.compare(b.votes(), a.votes())) // stable: ties keep first-seen order
                .toList();
        return new Verdict(classification.label(), labels, labelField, weighted);
    }

    /**
     * Runs a permitted call's backend part on a virtual thread with a deadline, cancelled if a kill switch covers
     * it meanwhile. Every failure is recorded as the call's outcome and thrown as the refusal the agent gets.
     */
    private <T> T forward(CallContext call, boolean canary, Callable<T> backend, Duration within) {
        AgentView agent = call.admittedAgent();
        if (!canary) {
            lastActive.put(agent.id(), clock.instant());
        }
        return spans.step(GatewaySpans.BACKEND, GatewaySpans.Tags.of(call), () -> forwarded(call, backend, within));
    }

    private <T> T forwarded(CallContext call, Callable<T> backend, Duration within) {
        AgentView agent = call.admittedAgent();
        T answer;
        Future<T> pending = calls.submit(spans.carried(backend));
        InFlight inFlight = new InFlight(agent, call.tool(), call.dataset(), pending);
        inFlightCalls.add(inFlight);
        if (covers(agent, call.tool(), call.dataset()).any()) {
            pending.cancel(true); // engaged between the decision and now: the listener may have run already
        }
        try {
            answer = pending.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (CancellationException e) {
            recordOutcome(call, Outcome.MINOR_FAILURE, GatewayService::noHits);
            throw stoppedByKillSwitch();
        } catch (TimeoutException | ExecutionException | InterruptedException e) {
            pending.cancel(true); // the call is abandoned: its thread is interrupted
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            recordOutcome(call, Outcome.SERIOUS_FAILURE, builder -> {
                noHits(builder);
                if (cause instanceof BackendFailure failure) {
                    builder.detail("failure", failure.code());
                }
            });
            throw failed(call, cause, within);
        } finally {
            inFlightCalls.remove(inFlight);
        }
        if (covers(agent, call.tool(), call.dataset()).any()) { // engaged while the answer came back
            recordOutcome(call, Outcome.MINOR_FAILURE, GatewayService::noHits);
            throw stoppedByKillSwitch();
        }
        return answer;
    }

    private static void noHits(AuditEvent.Builder builder) {
        builder.detail("hits", 0);
    }

    private static GatewayDenied stoppedByKillSwitch() {
        return new GatewayDenied(
                Denial.FORBIDDEN.kind,
                List.of(ReasonCodes.KILL_SWITCH),
                "A kill switch stopped this call while it ran",
                0);
    }

    /** The refusal an agent gets for a backend that failed, timed out or rejected the call's arguments. */
    private static GatewayDenied failed(CallContext call, Throwable cause, Duration within) {
        if (cause instanceof EmbeddingRejected rejected) { // an image that does not decode, too many pixels
            return new GatewayDenied(
                    Denial.INVALID.kind,
                    List.of(ReasonCodes.INVALID_REQUEST, rejected.code()),
                    Objects.requireNonNullElse(rejected.getMessage(), "The query cannot be embedded"),
                    0);
        }
        if (cause instanceof RetrievalRejected rejected) {
            return new GatewayDenied(
                    Denial.INVALID.kind,
                    List.of(ReasonCodes.INVALID_REQUEST, rejected.code()),
                    Objects.requireNonNullElse(rejected.getMessage(), "The retrieval request is invalid"),
                    0);
        }
        if (call.backend() == BackendKind.BUILTIN) {
            return new GatewayDenied(
                    Denial.UNAVAILABLE.kind,
                    List.of(ReasonCodes.RETRIEVAL_UNAVAILABLE),
                    cause instanceof TimeoutException
                            ? "The retrieval service did not answer within " + within
                            : "The retrieval service failed",
                    0);
        }
        if (cause instanceof TimeoutException) {
            return new GatewayDenied(
                    Denial.UNAVAILABLE.kind,
                    List.of(ReasonCodes.UPSTREAM_TIMEOUT),
                    "The tool's backend did not answer within " + within,
                    0);
        }
        if (!(cause instanceof BackendFailure failure)) {
            return new GatewayDenied(
                    Denial.UNAVAILABLE.kind, List.of(ReasonCodes.UPSTREAM_UNAVAILABLE), "The tool's backend failed", 0);
        }
        String message = Objects.requireNonNullElse(failure.getMessage(), "The tool's backend failed");
        if (failure.invalidInput() || failure.code().equals("invalid-arguments")) {
            return new GatewayDenied(
                    Denial.INVALID.kind, List.of(ReasonCodes.INVALID_REQUEST, failure.code()), message, 0);
        }
        return switch (failure.code()) {
            case "egress-refused" ->
                new GatewayDenied(Denial.FORBIDDEN.kind, List.of(ReasonCodes.EGRESS_REFUSED), message, 0);
            case "upstream-timeout" ->
                new GatewayDenied(Denial.UNAVAILABLE.kind, List.of(ReasonCodes.UPSTREAM_TIMEOUT), message, 0);
            case "response-too-large" ->
                new GatewayDenied(Denial.UNAVAILABLE.kind, List.of(ReasonCodes.RESPONSE_TOO_LARGE), message, 0);
            default ->
                new GatewayDenied(Denial.UNAVAILABLE.kind, List.of(ReasonCodes.UPSTREAM_UNAVAILABLE), message, 0);
        };
    }

    // ---- MCP and HTTP tools ------------------------------------------------------------------------------

    /**
     * Calls an MCP or HTTP tool through the same pipeline as the built-in ones: decided on one of the tool's data
     * scopes (the call's dataset, or the tool's only one) and the purpose the call states, recorded, forwarded to
     * the backend's client, its result redacted as the obligations say, and the outcome recorded.
     */
    ToolOutcome callTool(ToolCall request, ToolView tool) {
        return metrics.call(request.tool(), () -> serveTool(request, tool));
    }

    private ToolOutcome serveTool(ToolCall request, ToolView known) {
        String tooLong = request.dataset() != null && request.dataset().length() > 63
                ? "dataset"
                : request.purposeOfUse() != null && request.purposeOfUse().length() > 20 ? "purposeOfUse" : null;
        if (tooLong != null) {
            refusedInvalid(request.clientId(), request.tool(), null, null, tooLong, request.edge(), request.traceId());
            throw new GatewayDenied(
                    Denial.INVALID.kind, List.of(ReasonCodes.INVALID_REQUEST), tooLong + " is too long", 0);
        }
        String dataset = request.dataset() != null && !request.dataset().isBlank()
                ? request.dataset()
                : known.dataScopes().size() == 1 ? known.dataScopes().first() : "";
        CallContext call = new CallContext(
                null,
                request.clientId(),
                request.tool(),
                known.target().kind(),
                argumentsDigest(request.arguments()),
                request.purposeOfUse(),
                dataset,
                request.traceId(),
                request.edge(),
                System.nanoTime(),
                null,
                request.arguments(),
                null,
                Presented.of(request),
                null,
                spans.currentTraceId());
        return admitted(call, () -> serveTool(call, request));
    }

    private ToolOutcome serveTool(CallContext call, ToolCall request) {
        Admitted admitted = cache.decide(() -> admit(call, false));
        CallContext admittedCall = admitted.call();
        ToolView tool = admitted.tool();
        ToolBackendClient client = backends.get(tool.target().kind());
        Duration within = tool.target() instanceof ToolBackend.Http http ? http.timeout() : deadline;
        BackendAnswer answer = forward(
                admittedCall,
                false,
                () -> {
                    if (client == null) {
                        throw new BackendFailure(
                                "upstream-unavailable",
                                "No client for " + tool.target().kind() + " backends",
                                false);
                    }
                    return client.call(tool, request.arguments(), within, request.traceId());
                },
                within.plus(DEADLINE_SLACK));
        Decision.Obligations obligations = admitted.decision().obligations();
        Set<String> redact = new HashSet<>(obligations.redactFields());
        if (obligations.deidentificationRequired()) {
            redact.addAll(IDENTIFYING_FIELDS);
        }
        Map<String, Object> structured =
                answer.structured() == null ? null : redactStructured(answer.structured(), redact);
        List<Map<String, Object>> content = redact.isEmpty() ? answer.content() : withoutText(answer.content());
        recordOutcome(admittedCall, answer.toolError() ? Outcome.MINOR_FAILURE : Outcome.SUCCESS, builder -> {
            builder.detail("upstream", clip(answer.upstream(), PAYLOAD_CHARS))
                    .detail("upstreamMicros", answer.upstreamMicros())
                    .detail("resultBytes", answer.resultBytes())
                    .detail("toolError", answer.toolError());
            if (tool.storePayloads()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("content", content);
                if (structured != null) {
                    result.put("structured", structured);
                }
                payload(builder, "result", result);
            }
        });
        return new ToolOutcome(content, structured, answer.toolError(), admitted.decision(), answer.resultBytes());
    }

    /** A backend client that honours its deadline answers within it; the gateway waits that much longer at most. */
    private static final Duration DEADLINE_SLACK = Duration.ofMillis(250);

    /** The structured result without the redacted fields, at any depth (objects within objects and arrays). */
    static Map<String, Object> redactStructured(Map<String, Object> structured, Set<String> fields) {
        if (fields.isEmpty()) {
            return structured;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> redacted = (Map<String, Object>) Objects.requireNonNull(redactValue(structured, fields));
        return redacted;
    }

    private static @Nullable Object redactValue(@Nullable Object value, Set<String> fields) {
        if (value instanceof Map<?, ?> map) {
            Map<String, @Nullable Object> kept = new LinkedHashMap<>();
            map.forEach((key, item) -> {
                if (!fields.contains(String.valueOf(key))) {
                    kept.put(String.valueOf(key), redactValue(item, fields));
                }
            });
            return kept;
        }
        if (value instanceof List<?> list) {
            List<@Nullable Object> kept = new ArrayList<>(list.size());
            list.forEach(item -> kept.add(redactValue(item, fields)));
            return kept;
        }
        return value;
    }

    /**
     * The content blocks whose text cannot be redacted reliably (text, embedded resources) removed: with redaction
     * or de-identification required, only structured content and other blocks reach the agent.
     */
    static List<Map<String, Object>> withoutText(List<Map<String, Object>> content) {
        return content.stream()
                .filter(block -> !"text".equals(block.get("type")) && !"resource".equals(block.get("type")))
                .toList();
    }

    /** SHA-256 of the arguments' RFC 8785 canonical JSON, so an auditor holding the arguments can recompute it. */
    static String argumentsDigest(Map<String, @Nullable Object> arguments) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(canonical(arguments).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String canonical(@Nullable Object value) {
        try {
            return CanonicalJsonText.of(value);
        } catch (IllegalArgumentException e) {
            throw new GatewayDenied(
                    Denial.INVALID.kind,
                    List.of(ReasonCodes.INVALID_REQUEST),
                    "The arguments are not plain JSON: " + e.getMessage(),
                    0);
        }
    }

    /** Audit details hold at most {@value #PAYLOAD_CHARS} characters: a longer payload is kept cut, and said so. */
    private static final int PAYLOAD_CHARS = 256;

    private static String clip(String value, int chars) {
        return value.length() <= chars ? value : value.substring(0, chars);
    }

    private static void payload(AuditEvent.Builder builder, String name, @Nullable Object value) {
        String text = CanonicalJsonText.of(value);
        if (text.length() > PAYLOAD_CHARS) {
            int end = Character.isHighSurrogate(text.charAt(PAYLOAD_CHARS - 1)) ? PAYLOAD_CHARS - 1 : PAYLOAD_CHARS;
            builder.detail(name, text.substring(0, end)).detail(name + "Truncated", true);
        } else {
            builder.detail(name, text);
        }
    }

    /**
     * Keeps the hits the obligations allow: only from the datasets decided on; when de-identification is required,
     * only records marked de-identified (or from a dataset that is de-identified as a whole) and without identifying
     * fields; the fields to redact removed.
     */
    static List<SearchHit> applyObligations(
            List<SearchHit> hits, Decision.Obligations obligations, DataScopeView dataset) {
        List<SearchHit> allowed = new ArrayList<>(hits.size());
        for (SearchHit hit : hits) {
            String from = hit.metadata().get("dataset");
            if (from == null || !obligations.datasets().contains(from)) {
                continue;
            }
            if (obligations.deidentificationRequired()
                    && !dataset.deidentified()
                    && !"true".equalsIgnoreCase(hit.metadata().get("deidentified"))) {
                continue;
            }
            Map<String, String> metadata = new HashMap<>(hit.metadata());
            obligations.redactFields().forEach(metadata::remove);
            if (obligations.deidentificationRequired()) {
                IDENTIFYING_FIELDS.forEach(metadata::remove);
            }
            allowed.add(new SearchHit(hit.id(), hit.score(), Map.copyOf(metadata)));
        }
        return allowed;
    }

    /**
     * Everything up to the durable record of the decision, inside the cache's fence: the agent behind the token,
     * kill switches, limits, the request's own validity, the decision, and its record. Throws {@link GatewayDenied}
     * (after recording the refusal) for every refusal.
     */
    private Admitted admit(CallContext unknown, boolean canary) {
        String clientId = unknown.clientId();
        String toolKey = unknown.tool();
        AgentView agent = canary
                ? Canary.AGENT
                : cache.<AgentView>agent(clientId, () -> agents.findAgentByClientId(clientId))
                        .orElse(null);
        if (agent == null) {
            throw deny(
                    Denial.UNAUTHENTICATED,
                    unknown,
                    ReasonCodes.AGENT_UNKNOWN,
                    "The token's client is not a registered agent");
        }
        CallContext call = unknown.withAgent(agent);
        Presented presented = call.presented();
        String tooLong = presented.justification() != null
                        && presented.justification().length() > MAX_JUSTIFICATION
                ? "justification"
                : presented.approval() != null
                                && !APPROVAL_ID.matcher(presented.approval()).matches()
                        ? "approval"
                        : null;
        if (tooLong != null) {
            recordRefusal(new Refused(call.withField(tooLong), List.of(ReasonCodes.INVALID_REQUEST)), null);
            throw GatewayDenied.invalidField(
                    List.of(ReasonCodes.INVALID_REQUEST),
                    tooLong,
                    tooLong.equals("justification")
                            ? "A justification is at most " + MAX_JUSTIFICATION + " characters"
                            : "An approval id is 1 to 100 letters, digits and dashes");
        }
        var covered = spans.step(
                GatewaySpans.KILL_SWITCH, GatewaySpans.Tags.of(call), () -> covers(agent, toolKey, call.dataset()));
        if (covered.any()) {
            throw deny(Denial.FORBIDDEN, call, ReasonCodes.KILL_SWITCH, "A kill switch stops this call");
        }
        // the canary is no registered agent: it has no limits of its own, and its probes are few
        boolean decideOnly = call.edge() == ToolCall.Edge.AUTHZEN;
        // a decision asked by an enforcement point serves no call here: it spends none of the agent's limits
        if (!canary
                && !decideOnly
                && limits.admit(agent.id(), toolKey) instanceof RateLimits.Admission.Refused refused) {
            boolean unavailable = refused.reason().equals(ReasonCodes.RATE_LIMIT_UNAVAILABLE);
            throw deny(
                    unavailable ? Denial.UNAVAILABLE : Denial.LIMITED,
                    call,
                    List.of(refused.reason()),
                    unavailable
                            ? "The rate limits cannot be checked, so the call is refused"
                            : refused.reason().equals(ReasonCodes.QUOTA_EXHAUSTED)
                                    ? "The call quota for this tool is spent"
                                    : "Too many calls",
                    refused.retryAfterSeconds());
        }
        GatewayRequest request = call.request();
        if (request != null && toolKey.equals(CohortSearch.TOOL)) {
            admitCohortSearch(call, request);
        }
        PurposeOfUse purpose = null;
        if (call.purposeOfUse() != null) {
            try {
                purpose = PurposeOfUse.valueOf(call.purposeOfUse());
            } catch (IllegalArgumentException e) {
                throw deny(
                        Denial.INVALID,
                        call,
                        ReasonCodes.INVALID_REQUEST,
                        "Unknown purpose of use: purposeOfUse must be an HL7 v3 PurposeOfUse code such as TREAT or HRESCH");
            }
        }
        ToolView tool = canary
                ? Canary.TOOL_VIEW
                : cache.<ToolView>tool(toolKey, () -> found(() -> catalog.tool(toolKey)))
                        .orElse(null);
        if (tool != null && call.backend() != BackendKind.BUILTIN) {
            // an MCP or HTTP tool's calls are decided on the data scopes registered for it, and only on those
            if (call.dataset().isEmpty()) {
                throw deny(
                        Denial.INVALID,
                        call,
                        ReasonCodes.DATASET_REQUIRED,
                        "Tool " + toolKey + " reads several data scopes: name one as the call's dataset "
                                + tool.dataScopes());
            }
            if (!tool.dataScopes().contains(call.dataset())) {
                throw deny(
                        Denial.FORBIDDEN,
                        call,
                        ReasonCodes.DATASET_NOT_REGISTERED,
                        "Dataset " + call.dataset() + " is not one of the data scopes registered for tool " + toolKey);
            }
        }
        DataScopeView dataset = canary
                ? Canary.DATASET_VIEW
                : cache.<DataScopeView>scope(call.dataset(), () -> found(() -> catalog.dataScope(call.dataset())))
                        .orElse(null);
        if (tool == null || dataset == null) {
            throw deny(
                    Denial.FORBIDDEN,
                    call,
                    tool == null ? ReasonCodes.UNKNOWN_TOOL : ReasonCodes.UNKNOWN_DATASET,
                    "Unknown tool or dataset");
        }
        if (request != null && !canary) {
            BuiltinTools.Invalid invalid = BuiltinTools.invalid(toolKey, request);
            if (invalid != null) {
                recordRefusal(new Refused(call.withField(invalid.field()), List.of(ReasonCodes.INVALID_REQUEST)), null);
                throw GatewayDenied.invalidField(
                        List.of(ReasonCodes.INVALID_REQUEST), invalid.field(), invalid.message());
            }
        }
        if (tool.target().kind() != call.backend()) {
            // the tool was re-registered with another backend since this call was routed: route it again
            throw deny(
                    Denial.UNAVAILABLE,
                    call,
                    ReasonCodes.UPSTREAM_UNAVAILABLE,
                    "Tool " + toolKey + " changed its backend during this call; call it again");
        }
        if (dataset.phi() && !tool.target().phiApproved()) {
            throw deny(
                    Denial.FORBIDDEN,
                    call,
                    ReasonCodes.BACKEND_NOT_PHI_APPROVED,
                    "Dataset " + dataset.key() + " holds PHI and tool " + toolKey
                            + "'s backend is not approved to receive it");
        }
        DecisionInput.Person person = null;
        if (!canary && presented.person() != null) {
            try {
                person = people.people().person(presented.person());
            } catch (EntitlementsUnavailable e) {
                log.warn(
                        "Refusing a call on behalf of {}: {}",
                        presented.person().personId(),
                        e.getMessage());
                throw deny(
                        Denial.UNAVAILABLE,
                        call,
                        ReasonCodes.DECISION_UNAVAILABLE,
                        "The entitlements of the person this call serves cannot be read, so the call is refused");
            }
        }
        PeopleInTheLoop.Pending pending = pending(call, agent, toolKey, dataset.key());
        boolean approved = false;
        if (presented.approval() != null) {
            approved = people.approvals().valid(presented.approval(), pending);
            if (!approved) {
                throw deny(
                        Denial.FORBIDDEN,
                        call,
                        ReasonCodes.APPROVAL_INVALID,
                        "The approval is not granted, or no longer usable for exactly this call (used, expired, or"
                                + " for other arguments, another tool, dataset or agent)");
            }
        }
        long policyData = cache.dataVersion(); // read before the lookups: a change applied meanwhile is the next one
        DecisionInput input = input(agent, tool, dataset, purpose, call, covered, canary, person, approved);
        DecidedOn decidedOn = new DecidedOn(decisionPoint.engine(), policyData, input);
        Decision decision = spans.decision(
                GatewaySpans.Tags.of(call),
                () -> metrics.decide(decisionPoint, input),
                decided -> new GatewaySpans.Decided(decided.allow(), decided.reasons()));
        if (decision.allow()
                && decision.obligations().deidentificationRequired()
                && !dataset.deidentified()
                && !DEIDENTIFYING_BACKENDS.contains(tool.backend())) {
            // an obligation this call's backend cannot honour: refused, never served as if it had been
            decision = new Decision(
                    false,
                    List.of(ReasonCodes.DEIDENTIFICATION_UNAVAILABLE),
                    Decision.Obligations.none(),
                    decision.decisionId(),
                    decision.policyRevision());
        }
        if (!decision.allow()) {
            Denial denial = decision.reasons().contains(ReasonCodes.DECISION_UNAVAILABLE)
                    ? Denial.UNAVAILABLE
                    : Denial.FORBIDDEN;
            recordRefusal(new Refused(call, decision.reasons(), decidedOn), decision);
            throw new GatewayDenied(denial.kind, decision.reasons(), "The policy denies this call", 0);
        }
        CollectionInfo collection = !canary && request != null && request.collection() != null
                ? admitCollection(call, request.collection(), dataset)
                : null;
        append(decisionEvent(call, decision, 1, tool.storePayloads(), decidedOn));
        if (decideOnly) {
            return new Admitted(call, tool, dataset, decision, collection); // nothing parked, nothing forwarded
        }
        if (decision.obligations().approvalRequired()) {
            throw people.approvals().park(pending); // nothing forwarded: the agent resubmits once a person approves
        }
        if (approved && !people.approvals().consume(Objects.requireNonNull(presented.approval()), pending)) {
            throw deny(
                    Denial.FORBIDDEN,
                    call,
                    ReasonCodes.APPROVAL_INVALID,
                    "The approval was used by another call at the same time; an approval admits one call");
        }
        if (decision.obligations().breakGlass()) {
            try {
                people.breakGlass()
                        .used(new PeopleInTheLoop.BreakGlassUse(
                                clientId,
                                agent.id().toString(),
                                agent.name(),
                                Objects.requireNonNull(presented.person()).personId(),
                                toolKey,
                                dataset.key(),
                                Objects.requireNonNull(presented.justification()),
                                call.digest(),
                                call.traceId(),
                                clock.instant()));
            } catch (RuntimeException e) {
                log.error("Refusing a break-glass call by {}: its review could not be started", clientId, e);
                throw deny(
                        Denial.UNAVAILABLE,
                        call,
                        ReasonCodes.DECISION_UNAVAILABLE,
                        "The review of this emergency access could not be started, so it is refused");
            }
        }
        return new Admitted(call, tool, dataset, decision, collection);
    }

    private static final int MAX_JUSTIFICATION = 1000;
    private static final Pattern APPROVAL_ID = Pattern.compile("[A-Za-z0-9-]{1,100}");

    /** The call as an approver is shown it and an approval is bound to it. */
    private static PeopleInTheLoop.Pending pending(CallContext call, AgentView agent, String tool, String dataset) {
        Map<String, @Nullable Object> shown = new LinkedHashMap<>();
        GatewayRequest request = call.request();
        if (request == null) {
            shown.putAll(call.arguments());
        } else {
            shown.put("collection", request.collection());
            shown.put("dataset", request.dataset());
            shown.put("purposeOfUse", request.purposeOfUse());
            shown.put("k", request.k());
            if (request.text() != null) {
                shown.put("text", request.text());
            }
            if (request.vector() != null) {
                shown.put("vector", "(" + request.vector().length + " numbers)");
            }
            if (request.image() != null) {
                shown.put("image", "(" + request.image().length + " bytes)");
            }
            if (request.series() != null) {
                shown.put("series", String.valueOf(request.series()));
            }
            if (request.filter() != null && !request.filter().isEmpty()) {
                shown.put("filter", request.filter());
            }
        }
        Presented presented = call.presented();
        return new PeopleInTheLoop.Pending(
                call.clientId(),
                agent.id().toString(),
                agent.name(),
                tool,
                dataset,
                call.purposeOfUse(),
                call.digest(),
                shown,
                presented.person(),
                presented.justification(),
                call.traceId(),
                call.edge());
    }

    /**
     * A built-in tool reads a collection only within its data scope: the collection must be in the catalog, ACTIVE, and
     * bound to the call's dataset (the one just decided on). Decided after the policy, so that what the agent may not
     * do at all is the reason it hears first; refused and recorded like every denial.
     */
    private CollectionInfo admitCollection(CallContext call, String name, DataScopeView dataset) {
        CollectionInfo info;
        try {
            info = collections.find(name).orElse(null);
        } catch (RuntimeException e) {
            log.warn("The collection catalog cannot be read; refusing a call on {}", name, e);
            throw deny(
                    Denial.UNAVAILABLE,
                    call,
                    ReasonCodes.RETRIEVAL_UNAVAILABLE,
                    "The collection catalog cannot be read, so the call is refused");
        }
        if (info == null || !info.active()) {
            throw deny(
                    Denial.FORBIDDEN,
                    call,
                    ReasonCodes.COLLECTION_UNKNOWN,
                    "No collection " + name + " is served" + (info == null ? "" : ": it is retired"));
        }
        if (!info.dataScope().equals(dataset.key())) {
            throw deny(
                    Denial.FORBIDDEN,
                    call,
                    ReasonCodes.COLLECTION_NOT_IN_SCOPE,
                    "Collection " + name + " is not part of dataset " + dataset.key());
        }
        return info;
    }

    /** A cohort search's own rules: a valid filter, and a cohort served only while its builder agent is ACTIVE. */
    private void admitCohortSearch(CallContext call, GatewayRequest request) {
        String invalid = CohortSearch.invalid(request.filter());
        if (invalid != null) {
            throw deny(Denial.INVALID, call, ReasonCodes.INVALID_REQUEST, invalid);
        }
        // a cohort is served only while the builder that owns it is ACTIVE: suspended or retired, its cohorts go dark
        var builder = request.collection() == null ? Optional.<String>empty() : cohorts.ownerOf(request.collection());
        if (builder.isPresent()) {
            var status = agents.findAgent(AgentId.of(builder.get()))
                    .map(AgentView::status)
                    .orElse(null);
            if (status != AgentStatus.ACTIVE) {
                throw deny(
                        Denial.FORBIDDEN,
                        call,
                        ReasonCodes.COHORT_NOT_SERVED,
                        "Cohort " + request.collection() + " is not served: its builder agent is "
                                + (status == null ? "gone" : status));
            }
        }
    }

    /** Runs a permitted built-in call on the retrieval service: the tool says what its query means. */
    private Found search(
            String tool, GatewayRequest request, @Nullable CollectionInfo info, int k, Map<String, String> filter) {
        if (tool.equals(CohortSearch.TOOL)) {
            return new Found(CohortSearch.search(retrieval, request, k, filter), info);
        }
        String model = info == null ? null : info.embeddingModel();
        SearchQuery query;
        if (request.vector() != null) {
            query = new SearchQuery.Vector(request.vector());
        } else if (request.image() != null) {
            requireModality(info, Modality.IMAGE, tool);
            query = new SearchQuery.Image(request.image(), model);
        } else if (request.series() != null) {
            requireModality(info, Modality.VOLUME, tool);
            List<float[]> slices = seriesVectors.slices(request.series(), model, request.dataset());
            query = new SearchQuery.Vector(VolumeEmbeddings.aggregate(
                    slices, Objects.requireNonNullElse(request.aggregation(), VolumeEmbeddings.Aggregation.MEDIAN)));
        } else {
            // admission refuses a call of a built-in tool without a query: only a text is left
            query = new SearchQuery.Text(Objects.requireNonNullElse(request.text(), ""));
        }
        if (tool.equals(BuiltinTools.VOLUME_SEARCH)) {
            requireModality(info, Modality.VOLUME, tool);
        }
        return new Found(retrieval.search(request.collection(), query, k, filter), info);
    }

    /** A collection the catalog knows to hold another modality is refused, not searched with meaningless vectors. */
    private static void requireModality(@Nullable CollectionInfo info, Modality wanted, String tool) {
        if (info != null && info.modality() != wanted) {
            throw new RetrievalRejected(
                    "wrong-modality",
                    "Collection " + info.name() + " holds " + info.modality() + " items; " + tool + " with this query"
                            + " needs " + wanted);
        }
    }

    private DecisionInput input(
            AgentView agent,
            ToolView tool,
            DataScopeView dataset,
            @Nullable PurposeOfUse purpose,
            CallContext call,
            KillSwitches.Covered covered,
            boolean canary,
            DecisionInput.@Nullable Person person,
            boolean approved) {
        SensitivityLabel clearance = SensitivityLabel.PUBLIC;
        for (String key : canary ? List.<String>of() : agent.dataScopes()) {
            Optional<DataScopeView> scope = cache.scope(key, () -> found(() -> catalog.dataScope(key)));
            if (scope.isPresent() && scope.get().sensitivity().atLeast(clearance)) {
                clearance = scope.get().sensitivity();
            }
        }
        boolean ownerActive = canary
                || cache.<Boolean>owner(
                                agent.ownerId(),
                                () -> Optional.of(directory
                                        .findUser(agent.ownerId())
                                        .map(DirectoryUser::active)
                                        .orElse(false)))
                        .orElse(false);
        return new DecisionInput(
                new DecisionInput.Agent(
                        agent.clientId() == null ? agent.id().toString() : agent.clientId(),
                        agent.status(),
                        ownerActive,
                        agent.dataScopes(),
                        agent.tools(),
                        agent.purposesOfUse(),
                        clearance,
                        // PHI only where a compliance officer approved it for this agent and this scope: a scope
                        // reclassified as PHI after it was granted is not approved by that grant
                        agent.phiApprovedScopes().contains(dataset.key())),
                new DecisionInput.Tool(
                        tool.key(), tool.maxK(), tool.requiredScopes(), tool.sensitivity(), tool.approvalRequired()),
                new DecisionInput.Dataset(
                        dataset.key(),
                        dataset.sensitivity(),
                        dataset.phi(),
                        dataset.deidentified(),
                        dataset.allowedPurposes(),
                        dataset.deidentifyFor(),
                        dataset.approvalRequired()),
                purpose,
                new DecisionInput.Request(
                        call.request() == null ? 1 : call.request().k(),
                        call.presented().justification(),
                        approved),
                new DecisionInput.KillSwitches(covered.global(), covered.agent(), covered.tool(), covered.dataset()),
                clock.instant(),
                person);
    }

    private static <T> Optional<T> found(Supplier<T> load) {
        try {
            return Optional.of(load.get());
        } catch (RegistryException.NotFound e) {
            return Optional.empty();
        }
    }

    /** Records the refusal and returns it to throw (typed so that a caller writes {@code throw deny(...)}). */
    private GatewayDenied deny(Denial denial, CallContext call, String reason, String message) {
        return deny(denial, call, List.of(reason), message, 0);
    }

    private GatewayDenied deny(Denial denial, CallContext call, List<String> reasons, String message, long retryAfter) {
        recordRefusal(new Refused(call, reasons), null);
        return new GatewayDenied(denial.kind, reasons, message, retryAfter);
    }

    /**
     * Records a refusal: durably before the answer, except that a refusal the agent can repeat at will is recorded
     * at most once a window per agent and reason, the record carrying how many refusals it stands for.
     */
    private void recordRefusal(Refused refused, @Nullable Decision decided) {
        Decision decision =
                decided != null ? decided : new Decision(false, refused.reasons(), Decision.Obligations.none(), null);
        // an enforcement point's evaluation is one record each, so every decision it asked for is in the trail
        if (!REPEATABLE.contains(refused.reasons().getFirst()) || refused.call().edge() == ToolCall.Edge.AUTHZEN) {
            append(decisionEvent(refused.call(), decision, 1, false, refused.decidedOn()));
            return;
        }
        long count =
                refusals.refused(refused.call().clientId(), refused.reasons().getFirst(), refused);
        if (count > 0) {
            append(decisionEvent(refused.call(), decision, count, false, refused.decidedOn()));
        }
    }

    /**
     * Audits a refusal of a call the gateway could not even read (a body that fails validation), as the pipeline
     * audits every other refusal after authentication.
     */
    public void refusedInvalid(
            String clientId, String tool, @Nullable String dataset, @Nullable String purposeOfUse, String field) {
        refusedInvalid(clientId, tool, dataset, purposeOfUse, field, ToolCall.Edge.REST, null);
    }

    /** As {@link #refusedInvalid(String, String, String, String, String)}, from either edge. */
    public void refusedInvalid(
            String clientId,
            String tool,
            @Nullable String dataset,
            @Nullable String purposeOfUse,
            String field,
            ToolCall.Edge edge,
            @Nullable String traceId) {
        GatewayRequest request =
                GatewayRequest.search("", dataset == null ? "" : dataset, purposeOfUse, null, null, 0, null);
        AgentView agent = cache.<AgentView>agent(clientId, () -> agents.findAgentByClientId(clientId))
                .orElse(null);
        recordRefusal(
                new Refused(
                        CallContext.builtin(
                                        clientId, tool, request, edge, traceId, Presented.NONE, spans.currentTraceId())
                                .withAgent(agent)
                                .withField(field),
                        List.of(ReasonCodes.INVALID_REQUEST)),
                null);
    }

    /** Writes the counted refusals whose window has passed, each as one record carrying its count. */
    @Scheduled(fixedDelayString = "${warden.gateway.refusal-flush:PT0.25S}")
    void flushRefusals() {
        for (var due : refusals.due()) {
            Refused refused = due.call();
            try {
                // the record stands for refusals alike in agent and reason; its input is the first one's
                AuditEvent event = decisionEvent(
                        refused.call(),
                        new Decision(false, refused.reasons(), Decision.Obligations.none(), null),
                        due.count(),
                        false,
                        refused.decidedOn());
                audit.appendQueued(event).whenComplete((record, failure) -> {
                    if (failure != null) {
                        lostOutcomes.increment();
                        log.error(
                                "The record of {} repeated refusals of {} could not be committed",
                                due.count(),
                                refused.call().clientId(),
                                failure);
                    }
                });
            } catch (RuntimeException e) {
                lostOutcomes.increment();
                log.error(
                        "The record of {} repeated refusals of {} could not be written",
                        due.count(),
                        refused.call().clientId(),
                        e);
            }
        }
    }

    /**
     * The decision record, written before anything is forwarded. A built-in tool's record carries its {@code k} and
     * {@code collection}; every record its edge and trace id; the arguments only when the tool stores payloads. A
     * decision of the decision point also carries what it was made on: the decision point ({@code policyEngine}), the
     * version of its rules ({@code policyRules}) and of the policy data ({@code policyData}), OPA's bundle revision
     * ({@code policyRevision}) and the input ({@code input}, {@link DecisionJson#recorded}).
     */
    private static AuditEvent decisionEvent(
            CallContext call, Decision decision, long count, boolean storePayloads, @Nullable DecidedOn decidedOn) {
        AgentView agent = call.agent();
        String clientId = call.clientId();
        var builder = AuditEvent.builder(
                        "gateway.decision",
                        AuditActor.agent(clientId, agent == null ? null : agent.ownerId()),
                        new AuditTarget("tool", call.tool()))
                .agent(clientId)
                .owner(agent == null ? null : agent.ownerId())
                .tool(call.tool())
                .dataset(call.dataset().isEmpty() ? null : call.dataset())
                .decision(decision.allow() ? "PERMIT" : "DENY")
                .purposeOfUse(call.purposeOfUse())
                .requestDigest(call.digest())
                .outcome(decision.allow() ? Outcome.SUCCESS : Outcome.MINOR_FAILURE)
                .correlationId(call.correlationId())
                .detail("decisionId", decision.decisionId())
                .detail("edge", call.edge())
                .detail("traceId", call.traceId())
                .detail("pep", call.pep());
        presentedDetails(builder, call.presented());
        if (decision.obligations().approvalRequired()) {
            builder.detail("approvalRequired", true);
        }
        if (decision.obligations().breakGlass()) {
            builder.detail("breakGlass", true);
        }
        GatewayRequest request = call.request();
        if (request != null) {
            builder.detail("k", request.k()).detail("collection", request.collection());
        } else {
            builder.detail("backend", call.backend());
            if (storePayloads) {
                payload(builder, "arguments", call.arguments());
            }
        }
        if (count != 1) {
            builder.detail("count", count); // this record stands for that many identical refusals
        }
        if (call.field() != null) {
            builder.detail("field", call.field());
        }
        if (decidedOn != null) {
            builder.detail("policyEngine", decidedOn.engine())
                    .detail("policyRules", String.valueOf(DecisionJson.POLICY_VERSION))
                    .detail("policyData", decidedOn.policyData() < 0 ? null : String.valueOf(decidedOn.policyData()))
                    .detail("policyRevision", decision.policyRevision())
                    .detail("input", DecisionJson.recorded(decidedOn.input()));
        }
        decision.reasons().forEach(builder::reason);
        return builder.build();
    }

    /**
     * The outcome record is queued behind the decision record, in chain order, and the answer does not wait
     * for its commit: the call was already recorded durably (decision, request digest) before anything was
     * forwarded, and the outcome's commit follows within one group commit. A queued record that then fails
     * to commit is logged as an error and counted.
     */
    private void recordOutcome(CallContext call, Outcome outcome, Consumer<AuditEvent.Builder> details) {
        AgentView agent = call.admittedAgent();
        String clientId = call.clientId();
        var builder = AuditEvent.builder(
                        "gateway.outcome",
                        AuditActor.agent(clientId, agent.ownerId()),
                        new AuditTarget("tool", call.tool()))
                .agent(clientId)
                .owner(agent.ownerId())
                .tool(call.tool())
                .dataset(call.dataset())
                .purposeOfUse(call.purposeOfUse())
                .requestDigest(call.digest())
                .outcome(outcome)
                .latencyMicros((System.nanoTime() - call.started()) / 1000)
                .correlationId(call.correlationId())
                .detail("edge", call.edge())
                .detail("traceId", call.traceId());
        presentedDetails(builder, call.presented());
        details.accept(builder);
        AuditEvent event = builder.build();
        try {
            audit.appendQueued(event).whenComplete((record, failure) -> {
                if (failure != null) {
                    lostOutcomes.increment();
                    log.error(
                            "The outcome record of a {} call by {} could not be committed",
                            call.tool(),
                            clientId,
                            failure);
                }
            });
        } catch (AuditWriteFailed e) {
            throw new GatewayDenied(
                    Denial.UNAVAILABLE.kind,
                    List.of(ReasonCodes.AUDIT_UNAVAILABLE),
                    "The call could not be audited, so it is refused",
                    0);
        }
    }

    /** Who the call served and what it presented, in its records: never a token, the justification cut to length. */
    private static void presentedDetails(AuditEvent.Builder builder, Presented presented) {
        if (presented.person() != null) {
            builder.detail("onBehalfOf", presented.person().personId())
                    .detail("delegation", presented.person().via());
        }
        if (presented.justification() != null) {
            builder.detail("justification", clip(presented.justification(), MAX_JUSTIFICATION));
        }
        if (presented.approval() != null) {
            builder.detail("approval", clip(presented.approval(), 100));
        }
    }

    private void append(AuditEvent event) {
        try {
            spans.step(GatewaySpans.AUDIT, auditTags(event), () -> audit.append(event));
        } catch (AuditWriteFailed e) {
            throw new GatewayDenied(
                    Denial.UNAVAILABLE.kind,
                    List.of(ReasonCodes.AUDIT_UNAVAILABLE),
                    "The call could not be audited, so it is refused",
                    0);
        }
    }

    /** A durable append's span says which call it records, as the call's other spans do. */
    private static GatewaySpans.Tags auditTags(AuditEvent event) {
        return new GatewaySpans.Tags(
                Objects.requireNonNullElse(event.tool(), ""),
                event.details().getOrDefault("edge", ""),
                event.agentId(),
                event.dataset());
    }

    /** Outcome records that were queued but could not be committed (each also logged as an error). */
    public long lostOutcomeRecords() {
        return lostOutcomes.sum();
    }

    /** A hash of the request: the trail never holds query text. The vector is hashed as its IEEE-754 bytes. */
    private static String digest(String tool, GatewayRequest request) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((tool + "\u001f" + request.collection() + "\u001f" + request.dataset() + "\u001f"
                            + request.text() + "\u001f" + request.k() + "\u001f" + request.filter() + "\u001f")
                    .getBytes(StandardCharsets.UTF_8));
            if (request.weighted() || request.aggregation() != null) {
                // only when set, so the digests of the calls without them stay what they were
                sha.update(("weighted=" + request.weighted() + ";aggregation=" + request.aggregation() + "\u001f")
                        .getBytes(StandardCharsets.UTF_8));
            }
            if (request.image() != null) {
                sha.update("image\u001f".getBytes(StandardCharsets.UTF_8));
                sha.update(request.image());
            }
            switch (request.series()) {
                case null -> {}
                case SeriesVectors.Uploaded uploaded -> {
                    for (byte[] instance : uploaded.instances()) {
                        sha.update("instance\u001f".getBytes(StandardCharsets.UTF_8));
                        sha.update(instance);
                    }
                }
                case SeriesVectors.DicomWeb series ->
                    sha.update(("dicomweb\u001f" + series.source() + "\u001f" + series.studyUid() + "\u001f"
                                    + series.seriesUid())
                            .getBytes(StandardCharsets.UTF_8));
            }
            float[] vector = request.vector();
            if (vector != null) {
                ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES);
                bytes.asFloatBuffer().put(vector);
                sha.update(bytes);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- activity ------------------------------------------------------------------------------------

    /** Writes the remembered last-activity times, once a minute, instead of once per call. */
    @Scheduled(fixedDelayString = "${warden.gateway.activity-flush:PT60S}")
    void flushActivity() {
        if (lastActive.isEmpty()) {
            return;
        }
        Map<AgentId, Instant> batch = new HashMap<>(lastActive);
        batch.forEach(lastActive::remove);
        activity.recordLastActivity(batch);
    }
}
