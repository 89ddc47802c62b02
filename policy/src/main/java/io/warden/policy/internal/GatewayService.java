package io.warden.policy.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.AuditWriteFailed;
import io.warden.audit.Outcome;
import io.warden.audit.problem.ProblemKind;
import io.warden.clinical.Retrieval;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchHit;
import io.warden.clinical.cohort.CohortOwners;
import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.policy.GatewayDenied;
import io.warden.policy.GatewayRequest;
import io.warden.policy.KillSwitches;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.policy.RateLimits;
import io.warden.policy.ReasonCodes;
import io.warden.registry.AgentActivity;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolView;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
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
            ReasonCodes.INVALID_REQUEST,
            ReasonCodes.AGENT_SUSPENDED,
            ReasonCodes.AGENT_RETIRED,
            ReasonCodes.AGENT_NOT_ACTIVE,
            ReasonCodes.OWNER_INACTIVE,
            ReasonCodes.UNKNOWN_TOOL,
            ReasonCodes.UNKNOWN_DATASET);
    /** Fields that identify a patient, removed from every result that must be de-identified. */
    static final List<String> IDENTIFYING_FIELDS =
            List.of("patient_id", "patient_name", "birth_date", "accession_number", "mrn", "address", "phone", "email");
    /** Backends that can serve de-identified records only (they carry the {@code deidentified} marker per record). */
    private static final Set<String> DEIDENTIFYING_BACKENDS = Set.of("retrieval");

    /** A completed call: the hits after obligations, and the decision that allowed it. */
    public record Result(List<SearchHit> hits, Decision decision, int k) {}

    /** A call the policy allowed, with what it was decided on. */
    private record Admitted(AgentView agent, ToolView tool, DataScopeView dataset, Decision decision) {}

    /** What a refusal's audit record says about the call. */
    private record Refused(
            @Nullable AgentView agent,
            String clientId,
            String tool,
            GatewayRequest request,
            String digest,
            List<String> reasons,
            @Nullable String field) {

        Refused(
                @Nullable AgentView agent,
                String clientId,
                String tool,
                GatewayRequest request,
                String digest,
                List<String> reasons) {
            this(agent, clientId, tool, request, digest, reasons, null);
        }
    }

    private final AgentQueries agents;
    private final CohortOwners cohorts;
    private final CatalogQueries catalog;
    private final AgentActivity activity;
    private final Directory directory;
    private final KillSwitches killSwitches;
    private final PolicyDecisionPoint decisionPoint;
    private final AuditLog audit;
    private final Retrieval retrieval;
    private final Clock clock;
    private final Duration deadline;
    private final RateLimits limits;
    private final PolicyCache cache;
    private final RefusalThrottle<Refused> refusals;
    private final GatewayMetrics metrics;
    private final Map<AgentId, Instant> lastActive = new ConcurrentHashMap<>();
    /** A retrieval call under way, cancelled when a kill switch that covers it is engaged. */
    private record InFlight(AgentView agent, String tool, String dataset, Future<?> call) {}

    private final Set<InFlight> inFlightCalls = ConcurrentHashMap.newKeySet();
    private final LongAdder lostOutcomes = new LongAdder();
    /** Retrieval calls run on virtual threads, so a slow backend ties up no platform thread. */
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

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
            GatewayMetrics metrics) {
        this(
                agents,
                catalog,
                activity,
                directory,
                killSwitches,
                decisionPoint,
                audit,
                retrieval,
                clock,
                deadline,
                limits,
                cache,
                refusalWindow,
                metrics,
                CohortOwners.NONE);
    }

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
            CohortOwners cohorts) {
        this.cohorts = cohorts;
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

    public Result call(String clientId, String toolKey, GatewayRequest request) {
        return metrics.call(
                toolKey, () -> serve(clientId, toolKey, request, false)); // counted by tool, decision and reason
    }

    /** What a probe of this gateway with the self-test's canary got: served, or refused with these reasons. */
    public record Probe(boolean served, List<String> reasons) {}

    /**
     * Calls this instance's gateway as the self-test's canary agent, with the canary tool, through the whole
     * pipeline and its audit (the retrieval service is not called). Only the self-test calls it.
     */
    public Probe probe() {
        try {
            serve(Canary.CLIENT_ID, Canary.TOOL, Canary.REQUEST, true);
            return new Probe(true, List.of());
        } catch (GatewayDenied e) {
            return new Probe(false, e.reasons());
        }
    }

    private Result serve(String clientId, String toolKey, GatewayRequest request, boolean canary) {
        long started = System.nanoTime();
        String digest = digest(toolKey, request);
        Admitted admitted = cache.decide(() -> admit(clientId, toolKey, request, digest, canary));
        AgentView agent = admitted.agent();
        Decision decision = admitted.decision();
        if (!canary) {
            lastActive.put(agent.id(), clock.instant());
        }
        int k = Math.min(request.k(), decision.obligations().maxK());
        Map<String, String> filter = new HashMap<>(request.filter() == null ? Map.of() : request.filter());
        filter.put("dataset", request.dataset()); // obligation: only the dataset decided on
        List<SearchHit> hits;
        Future<List<SearchHit>> pending = calls.submit(() -> canary
                ? List.<SearchHit>of() // a probe proves the pipeline, not the retrieval service
                : search(toolKey, request, k, filter));
        InFlight inFlight = new InFlight(agent, toolKey, request.dataset(), pending);
        inFlightCalls.add(inFlight);
        if (covers(agent, toolKey, request.dataset()).any()) {
            pending.cancel(true); // engaged between the decision and now: the listener may have run already
        }
        try {
            hits = pending.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (CancellationException e) {
            recordOutcome(agent, clientId, toolKey, request, digest, Outcome.MINOR_FAILURE, started, 0);
            throw new GatewayDenied(
                    ProblemKind.FORBIDDEN,
                    List.of(ReasonCodes.KILL_SWITCH),
                    "A kill switch stopped this call while it ran",
                    0);
        } catch (TimeoutException | ExecutionException | InterruptedException e) {
            pending.cancel(true); // the call is abandoned: its thread is interrupted
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            recordOutcome(agent, clientId, toolKey, request, digest, Outcome.SERIOUS_FAILURE, started, 0);
            if (cause instanceof RetrievalRejected rejected) {
                throw new GatewayDenied(
                        ProblemKind.INVALID,
                        List.of(ReasonCodes.INVALID_REQUEST, rejected.code()),
                        Objects.requireNonNullElse(rejected.getMessage(), "The retrieval request is invalid"),
                        0);
            }
            throw new GatewayDenied(
                    ProblemKind.UNAVAILABLE,
                    List.of(ReasonCodes.RETRIEVAL_UNAVAILABLE),
                    e instanceof TimeoutException
                            ? "The retrieval service did not answer within " + deadline
                            : "The retrieval service failed",
                    0);
        } finally {
            inFlightCalls.remove(inFlight);
        }
        if (covers(agent, toolKey, request.dataset()).any()) { // engaged while the answer came back
            recordOutcome(agent, clientId, toolKey, request, digest, Outcome.MINOR_FAILURE, started, 0);
            throw new GatewayDenied(
                    ProblemKind.FORBIDDEN,
                    List.of(ReasonCodes.KILL_SWITCH),
                    "A kill switch stopped this call while it ran",
                    0);
        }
        List<SearchHit> allowed = applyObligations(hits, decision.obligations(), admitted.dataset());
        recordOutcome(agent, clientId, toolKey, request, digest, Outcome.SUCCESS, started, allowed.size());
        return new Result(allowed, decision, k);
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
    private Admitted admit(String clientId, String toolKey, GatewayRequest request, String digest, boolean canary) {
        AgentView agent = canary
                ? Canary.AGENT
                : cache.<AgentView>agent(clientId, () -> agents.findAgentByClientId(clientId))
                        .orElse(null);
        if (agent == null) {
            throw deny(
                    ProblemKind.UNAUTHENTICATED,
                    null,
                    clientId,
                    toolKey,
                    request,
                    digest,
                    List.of(ReasonCodes.AGENT_UNKNOWN),
                    "The token's client is not a registered agent");
        }
        var covered = covers(agent, toolKey, request.dataset());
        if (covered.any()) {
            deny(
                    ProblemKind.FORBIDDEN,
                    agent,
                    clientId,
                    toolKey,
                    request,
                    digest,
                    List.of(ReasonCodes.KILL_SWITCH),
                    "A kill switch stops this call");
        }
        // the canary is no registered agent: it has no limits of its own, and its probes are few
        if (!canary && limits.admit(agent.id(), toolKey) instanceof RateLimits.Admission.Refused refused) {
            boolean unavailable = refused.reason().equals(ReasonCodes.RATE_LIMIT_UNAVAILABLE);
            deny(
                    unavailable ? ProblemKind.UNAVAILABLE : ProblemKind.TOO_MANY_REQUESTS,
                    agent,
                    clientId,
                    toolKey,
                    request,
                    digest,
                    List.of(refused.reason()),
                    unavailable
                            ? "The rate limits cannot be checked, so the call is refused"
                            : refused.reason().equals(ReasonCodes.QUOTA_EXHAUSTED)
                                    ? "The call quota for this tool is spent"
                                    : "Too many calls",
                    refused.retryAfterSeconds());
        }
        if (toolKey.equals(CohortSearch.TOOL)) {
            String invalid = CohortSearch.invalid(request.filter());
            if (invalid != null) {
                deny(
                        ProblemKind.INVALID,
                        agent,
                        clientId,
                        toolKey,
                        request,
                        digest,
                        List.of(ReasonCodes.INVALID_REQUEST),
                        invalid);
            }
            // a cohort is served only while the builder that owns it is ACTIVE: suspended or retired, its cohorts go
            // dark
            var builder =
                    request.collection() == null ? Optional.<String>empty() : cohorts.ownerOf(request.collection());
            if (builder.isPresent()) {
                var status = agents.findAgent(AgentId.of(builder.get()))
                        .map(AgentView::status)
                        .orElse(null);
                if (status != AgentStatus.ACTIVE) {
                    deny(
                            ProblemKind.FORBIDDEN,
                            agent,
                            clientId,
                            toolKey,
                            request,
                            digest,
                            List.of(ReasonCodes.COHORT_NOT_SERVED),
                            "Cohort " + request.collection() + " is not served: its builder agent is "
                                    + (status == null ? "gone" : status));
                }
            }
        }
        PurposeOfUse purpose = null;
        if (request.purposeOfUse() != null) {
            try {
                purpose = PurposeOfUse.valueOf(request.purposeOfUse());
            } catch (IllegalArgumentException e) {
                deny(
                        ProblemKind.INVALID,
                        agent,
                        clientId,
                        toolKey,
                        request,
                        digest,
                        List.of(ReasonCodes.INVALID_REQUEST),
                        "Unknown purpose of use: purposeOfUse must be an HL7 v3 PurposeOfUse code such as TREAT or HRESCH");
            }
        }
        ToolView tool = canary
                ? Canary.TOOL_VIEW
                : cache.<ToolView>tool(toolKey, () -> found(() -> catalog.tool(toolKey)))
                        .orElse(null);
        DataScopeView dataset = canary
                ? Canary.DATASET_VIEW
                : cache.<DataScopeView>scope(request.dataset(), () -> found(() -> catalog.dataScope(request.dataset())))
                        .orElse(null);
        if (tool == null || dataset == null) {
            throw deny(
                    ProblemKind.FORBIDDEN,
                    agent,
                    clientId,
                    toolKey,
                    request,
                    digest,
                    List.of(tool == null ? ReasonCodes.UNKNOWN_TOOL : ReasonCodes.UNKNOWN_DATASET),
                    "Unknown tool or dataset");
        }
        Decision decision =
                metrics.decide(decisionPoint, input(agent, tool, dataset, purpose, request, covered, canary));
        if (decision.allow()
                && decision.obligations().deidentificationRequired()
                && !dataset.deidentified()
                && !DEIDENTIFYING_BACKENDS.contains(tool.backend())) {
            // an obligation this call's backend cannot honour: refused, never served as if it had been
            decision = new Decision(
                    false,
                    List.of(ReasonCodes.DEIDENTIFICATION_UNAVAILABLE),
                    Decision.Obligations.none(),
                    decision.decisionId());
        }
        if (!decision.allow()) {
            ProblemKind kind = decision.reasons().contains(ReasonCodes.DECISION_UNAVAILABLE)
                    ? ProblemKind.UNAVAILABLE
                    : ProblemKind.FORBIDDEN;
            recordRefusal(
                    new Refused(agent, clientId, toolKey, request, digest, decision.reasons()), decision.decisionId());
            throw new GatewayDenied(kind, decision.reasons(), "The policy denies this call", 0);
        }
        recordDecision(agent, clientId, toolKey, request, digest, decision, 1);
        return new Admitted(agent, tool, dataset, decision);
    }

    private List<SearchHit> search(String tool, GatewayRequest request, int k, Map<String, String> filter) {
        if (tool.equals(CohortSearch.TOOL)) {
            return CohortSearch.search(retrieval, request, k, filter);
        }
        if (request.vector() != null) {
            return retrieval.searchByVector(request.collection(), request.vector(), k, filter);
        }
        if (request.text() == null || request.text().isBlank()) {
            throw new RetrievalRejected("empty-text", "The " + tool + " call needs a text or a vector");
        }
        return retrieval.searchByText(request.collection(), request.text(), k, filter);
    }

    private DecisionInput input(
            AgentView agent,
            ToolView tool,
            DataScopeView dataset,
            @Nullable PurposeOfUse purpose,
            GatewayRequest request,
            KillSwitches.Covered covered,
            boolean canary) {
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
                new DecisionInput.Tool(tool.key(), tool.maxK(), tool.requiredScopes(), tool.sensitivity()),
                new DecisionInput.Dataset(
                        dataset.key(),
                        dataset.sensitivity(),
                        dataset.phi(),
                        dataset.deidentified(),
                        dataset.allowedPurposes(),
                        dataset.deidentifyFor()),
                purpose,
                new DecisionInput.Request(request.k()),
                new DecisionInput.KillSwitches(covered.global(), covered.agent(), covered.tool(), covered.dataset()),
                clock.instant());
    }

    private static <T> Optional<T> found(Supplier<T> load) {
        try {
            return Optional.of(load.get());
        } catch (RegistryException.NotFound e) {
            return Optional.empty();
        }
    }

    /** Records the refusal and throws it; never returns (typed so that a caller can write {@code throw deny(...)}). */
    private GatewayDenied deny(
            ProblemKind kind,
            @Nullable AgentView agent,
            String clientId,
            String tool,
            GatewayRequest request,
            String digest,
            List<String> reasons,
            String message) {
        return deny(kind, agent, clientId, tool, request, digest, reasons, message, 0);
    }

    private GatewayDenied deny(
            ProblemKind kind,
            @Nullable AgentView agent,
            String clientId,
            String tool,
            GatewayRequest request,
            String digest,
            List<String> reasons,
            String message,
            long retryAfter) {
        recordRefusal(new Refused(agent, clientId, tool, request, digest, reasons), null);
        throw new GatewayDenied(kind, reasons, message, retryAfter);
    }

    /**
     * Records a refusal: durably before the answer, except that a refusal the agent can repeat at will is recorded
     * at most once a window per agent and reason, the record carrying how many refusals it stands for.
     */
    private void recordRefusal(Refused refused, @Nullable String decisionId) {
        Decision decision = new Decision(false, refused.reasons(), Decision.Obligations.none(), decisionId);
        if (!REPEATABLE.contains(refused.reasons().getFirst())) {
            append(decisionEvent(refused, decision, 1));
            return;
        }
        long count = refusals.refused(refused.clientId(), refused.reasons().getFirst(), refused);
        if (count > 0) {
            append(decisionEvent(refused, decision, count));
        }
    }

    /**
     * Audits a refusal of a call the gateway could not even read (a body that fails validation), as the pipeline
     * audits every other refusal after authentication.
     */
    public void refusedInvalid(
            String clientId, String tool, @Nullable String dataset, @Nullable String purposeOfUse, String field) {
        GatewayRequest request =
                new GatewayRequest("", dataset == null ? "" : dataset, purposeOfUse, null, null, 0, null, null);
        AgentView agent = cache.<AgentView>agent(clientId, () -> agents.findAgentByClientId(clientId))
                .orElse(null);
        recordRefusal(
                new Refused(
                        agent,
                        clientId,
                        tool,
                        request,
                        digest(tool, request),
                        List.of(ReasonCodes.INVALID_REQUEST),
                        field),
                null);
    }

    /** Writes the counted refusals whose window has passed, each as one record carrying its count. */
    @Scheduled(fixedDelayString = "${warden.gateway.refusal-flush:PT0.25S}")
    void flushRefusals() {
        for (var due : refusals.due()) {
            Refused refused = due.call();
            try {
                AuditEvent event = decisionEvent(
                        refused,
                        new Decision(false, refused.reasons(), Decision.Obligations.none(), null),
                        due.count());
                audit.appendQueued(event).whenComplete((record, failure) -> {
                    if (failure != null) {
                        lostOutcomes.increment();
                        log.error(
                                "The record of {} repeated refusals of {} could not be committed",
                                due.count(),
                                refused.clientId(),
                                failure);
                    }
                });
            } catch (RuntimeException e) {
                lostOutcomes.increment();
                log.error(
                        "The record of {} repeated refusals of {} could not be written",
                        due.count(),
                        refused.clientId(),
                        e);
            }
        }
    }

    private void recordDecision(
            AgentView agent,
            String clientId,
            String tool,
            GatewayRequest request,
            String digest,
            Decision decision,
            long count) {
        append(decisionEvent(new Refused(agent, clientId, tool, request, digest, decision.reasons()), decision, count));
    }

    private static AuditEvent decisionEvent(Refused call, Decision decision, long count) {
        AgentView agent = call.agent();
        String clientId = call.clientId();
        String tool = call.tool();
        GatewayRequest request = call.request();
        String digest = call.digest();
        var builder = AuditEvent.builder(
                        "gateway.decision",
                        AuditActor.agent(clientId, agent == null ? null : agent.ownerId()),
                        new AuditTarget("tool", tool))
                .agent(clientId)
                .owner(agent == null ? null : agent.ownerId())
                .tool(tool)
                .dataset(request.dataset().isEmpty() ? null : request.dataset())
                .decision(decision.allow() ? "PERMIT" : "DENY")
                .purposeOfUse(request.purposeOfUse())
                .requestDigest(digest)
                .outcome(decision.allow() ? Outcome.SUCCESS : Outcome.MINOR_FAILURE)
                .detail("k", request.k())
                .detail("collection", request.collection())
                .detail("decisionId", decision.decisionId());
        if (count != 1) {
            builder.detail("count", count); // this record stands for that many identical refusals
        }
        if (call.field() != null) {
            builder.detail("field", call.field());
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
    private void recordOutcome(
            AgentView agent,
            String clientId,
            String tool,
            GatewayRequest request,
            String digest,
            Outcome outcome,
            long started,
            int hits) {
        AuditEvent event = AuditEvent.builder(
                        "gateway.outcome", AuditActor.agent(clientId, agent.ownerId()), new AuditTarget("tool", tool))
                .agent(clientId)
                .owner(agent.ownerId())
                .tool(tool)
                .dataset(request.dataset())
                .purposeOfUse(request.purposeOfUse())
                .requestDigest(digest)
                .outcome(outcome)
                .latencyMicros((System.nanoTime() - started) / 1000)
                .detail("hits", hits)
                .build();
        try {
            audit.appendQueued(event).whenComplete((record, failure) -> {
                if (failure != null) {
                    lostOutcomes.increment();
                    log.error("The outcome record of a {} call by {} could not be committed", tool, clientId, failure);
                }
            });
        } catch (AuditWriteFailed e) {
            throw new GatewayDenied(
                    ProblemKind.UNAVAILABLE,
                    List.of(ReasonCodes.AUDIT_UNAVAILABLE),
                    "The call could not be audited, so it is refused",
                    0);
        }
    }

    private void append(AuditEvent event) {
        try {
            audit.append(event);
        } catch (AuditWriteFailed e) {
            throw new GatewayDenied(
                    ProblemKind.UNAVAILABLE,
                    List.of(ReasonCodes.AUDIT_UNAVAILABLE),
                    "The call could not be audited, so it is refused",
                    0);
        }
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
