package io.warden.policy.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.AuditWriteFailed;
import io.warden.audit.Outcome;
import io.warden.clinical.Retrieval;
import io.warden.clinical.SearchHit;
import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.policy.GatewayDenied;
import io.warden.policy.GatewayRequest;
import io.warden.policy.KillSwitches;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.policy.RateLimits;
import io.warden.policy.ReasonCodes;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentRegistry;
import io.warden.registry.AgentView;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolView;
import io.warden.registry.events.AgentGrantsChanged;
import io.warden.registry.events.AgentOwnerChanged;
import io.warden.registry.events.AgentStatusChanged;
import io.warden.registry.events.DataScopeSaved;
import io.warden.registry.events.ToolSaved;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The gateway's pipeline, in this order for every call: the agent behind the (already validated) token →
 * kill switches → rate limit → policy decision → obligations on the request → durable audit of the
 * decision → the retrieval call with a deadline → obligations on the result → audit of the outcome (queued
 * in chain order; the answer does not wait for its commit). Any
 * failure on the way denies (fail closed) and nothing is forwarded without its audit record. Lookups are
 * cached and dropped when the registry publishes a change; activity is remembered in memory and written
 * once a minute. Thread-safe.
 */
public final class GatewayService {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GatewayService.class);

    /** A completed call: the hits after obligations, and the decision that allowed it. */
    public record Result(List<SearchHit> hits, Decision decision, int k) {
    }

    private final AgentQueries agents;
    private final AgentRegistry registry;
    private final Directory directory;
    private final KillSwitches killSwitches;
    private final PolicyDecisionPoint decisionPoint;
    private final AuditLog audit;
    private final Retrieval retrieval;
    private final Clock clock;
    private final Duration deadline;
    private final RateLimits limits;
    private final Map<String, Optional<AgentView>> agentCache = new ConcurrentHashMap<>();
    private final Map<String, Optional<ToolView>> toolCache = new ConcurrentHashMap<>();
    private final Map<String, Optional<DataScopeView>> scopeCache = new ConcurrentHashMap<>();
    private final Map<String, Boolean> ownerCache = new ConcurrentHashMap<>();
    private final Map<AgentId, Instant> lastActive = new ConcurrentHashMap<>();
    /** A retrieval call under way, cancelled when a kill switch that covers it is engaged. */
    private record InFlight(String clientId, String tool, String dataset, java.util.concurrent.Future<?> call) {
    }

    private final Set<InFlight> inFlightCalls = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.LongAdder lostOutcomes = new java.util.concurrent.atomic.LongAdder();
    /** Retrieval calls run on virtual threads, so a slow backend ties up no platform thread. */
    private final java.util.concurrent.ExecutorService calls = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    public GatewayService(AgentQueries agents, AgentRegistry registry, Directory directory, KillSwitches killSwitches,
            PolicyDecisionPoint decisionPoint, AuditLog audit, Retrieval retrieval, Clock clock, Duration deadline,
            RateLimits limits) {
        this.agents = agents;
        this.registry = registry;
        this.directory = directory;
        this.killSwitches = killSwitches;
        this.decisionPoint = decisionPoint;
        this.audit = audit;
        this.retrieval = retrieval;
        this.clock = clock;
        this.deadline = deadline;
        this.limits = limits;
        killSwitches.onEngaged(this::cancelCoveredCalls);
    }

    /** Cancels (interrupts) every call in flight that a kill switch now covers; its caller gets KILL_SWITCH. */
    void cancelCoveredCalls() {
        for (InFlight call : inFlightCalls) {
            if (killSwitches.covers(call.clientId(), call.tool(), call.dataset()).any() && call.call().cancel(true)) {
                log.warn("Cancelled a {} call by {} in flight: a kill switch covers it", call.tool(), call.clientId());
            }
        }
    }

    public Result call(String clientId, String toolKey, GatewayRequest request) {
        long started = System.nanoTime();
        String digest = digest(toolKey, request);
        AgentView agent = agentCache.computeIfAbsent(clientId, id -> agents.findAgentByClientId(id)).orElse(null);
        if (agent == null) {
            deny(401, null, clientId, toolKey, request, digest, List.of(ReasonCodes.AGENT_UNKNOWN),
                    "The token's client is not a registered agent");
        }
        var covered = killSwitches.covers(clientId, toolKey, request.dataset());
        if (covered.any()) {
            deny(403, agent, clientId, toolKey, request, digest, List.of(ReasonCodes.KILL_SWITCH), "A kill switch stops this call");
        }
        if (limits.admit(agent.id(), toolKey) instanceof RateLimits.Admission.Refused refused) {
            boolean unavailable = refused.reason().equals(ReasonCodes.RATE_LIMIT_UNAVAILABLE);
            deny(unavailable ? 503 : 429, agent, clientId, toolKey, request, digest, List.of(refused.reason()), unavailable
                    ? "The rate limits cannot be checked, so the call is refused" : refused.reason().equals(ReasonCodes.QUOTA_EXHAUSTED)
                    ? "The call quota for this tool is spent" : "Too many calls", refused.retryAfterSeconds());
        }
        if (toolKey.equals(CohortSearch.TOOL)) {
            String invalid = CohortSearch.invalid(request.filter());
            if (invalid != null) {
                deny(400, agent, clientId, toolKey, request, digest, List.of(ReasonCodes.INVALID_REQUEST), invalid);
            }
        }
        ToolView tool = cached(toolCache, toolKey, () -> registry.tool(toolKey)).orElse(null);
        DataScopeView dataset = cached(scopeCache, request.dataset(), () -> registry.dataScope(request.dataset())).orElse(null);
        if (tool == null || dataset == null) {
            deny(403, agent, clientId, toolKey, request, digest,
                    List.of(tool == null ? ReasonCodes.UNKNOWN_TOOL : ReasonCodes.UNKNOWN_DATASET), "Unknown tool or dataset");
        }
        Decision decision = decisionPoint.decide(input(agent, tool, dataset, request, covered));
        recordDecision(agent, clientId, toolKey, request, digest, decision);
        if (!decision.allow()) {
            int status = decision.reasons().contains(ReasonCodes.DECISION_UNAVAILABLE) ? 503 : 403;
            throw new GatewayDenied(status, decision.reasons(), "The policy denies this call", 0);
        }
        lastActive.put(agent.id(), clock.instant());
        int k = Math.min(request.k(), decision.obligations().maxK());
        Map<String, String> filter = new HashMap<>(request.filter() == null ? Map.of() : request.filter());
        filter.put("dataset", request.dataset()); // obligation: only the dataset decided on
        List<SearchHit> hits;
        java.util.concurrent.Future<List<SearchHit>> pending = calls.submit(() -> search(toolKey, request, k, filter));
        InFlight inFlight = new InFlight(clientId, toolKey, request.dataset(), pending);
        inFlightCalls.add(inFlight);
        if (killSwitches.covers(clientId, toolKey, request.dataset()).any()) {
            pending.cancel(true); // engaged between the check above and now: the listener may have run already
        }
        try {
            hits = pending.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.CancellationException e) {
            recordOutcome(agent, clientId, toolKey, request, digest, Outcome.MINOR_FAILURE, started, 0);
            throw new GatewayDenied(403, List.of(ReasonCodes.KILL_SWITCH), "A kill switch stopped this call while it ran", 0);
        } catch (TimeoutException | ExecutionException | InterruptedException e) {
            pending.cancel(true); // the call is abandoned: its thread is interrupted
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            recordOutcome(agent, clientId, toolKey, request, digest, Outcome.SERIOUS_FAILURE, started, 0);
            if (cause instanceof io.warden.clinical.RetrievalRejected rejected) {
                throw new GatewayDenied(400, List.of(ReasonCodes.INVALID_REQUEST, rejected.code()), rejected.getMessage(), 0);
            }
            throw new GatewayDenied(503, List.of(ReasonCodes.RETRIEVAL_UNAVAILABLE), e instanceof TimeoutException
                    ? "The retrieval service did not answer within " + deadline : "The retrieval service failed", 0);
        } finally {
            inFlightCalls.remove(inFlight);
        }
        if (killSwitches.covers(clientId, toolKey, request.dataset()).any()) { // engaged while the answer came back
            recordOutcome(agent, clientId, toolKey, request, digest, Outcome.MINOR_FAILURE, started, 0);
            throw new GatewayDenied(403, List.of(ReasonCodes.KILL_SWITCH), "A kill switch stopped this call while it ran", 0);
        }
        List<SearchHit> allowed = new ArrayList<>(hits.size());
        for (SearchHit hit : hits) {
            String from = hit.metadata().get("dataset");
            if (from == null || !decision.obligations().datasets().contains(from)) {
                continue;
            }
            Map<String, String> metadata = new HashMap<>(hit.metadata());
            decision.obligations().redactFields().forEach(metadata::remove);
            allowed.add(new SearchHit(hit.id(), hit.score(), Map.copyOf(metadata)));
        }
        recordOutcome(agent, clientId, toolKey, request, digest, Outcome.SUCCESS, started, allowed.size());
        return new Result(allowed, decision, k);
    }

    private List<SearchHit> search(String tool, GatewayRequest request, int k, Map<String, String> filter) {
        if (tool.equals(CohortSearch.TOOL)) {
            return CohortSearch.search(retrieval, request, k, filter);
        }
        if (request.vector() != null) {
            return retrieval.searchByVector(request.collection(), request.vector(), k, filter);
        }
        if (request.text() == null || request.text().isBlank()) {
            throw new io.warden.clinical.RetrievalRejected("empty-text", "The " + tool + " call needs a text or a vector");
        }
        return retrieval.searchByText(request.collection(), request.text(), k, filter);
    }

    private DecisionInput input(AgentView agent, ToolView tool, DataScopeView dataset, GatewayRequest request,
            KillSwitches.Covered covered) {
        SensitivityLabel clearance = SensitivityLabel.PUBLIC;
        boolean phiApproved = false;
        for (String key : agent.dataScopes()) {
            Optional<DataScopeView> scope = cached(scopeCache, key, () -> registry.dataScope(key));
            if (scope.isPresent()) {
                if (scope.get().sensitivity().atLeast(clearance)) {
                    clearance = scope.get().sensitivity();
                }
                phiApproved |= scope.get().phi(); // a PHI scope is only granted with a compliance officer's approval
            }
        }
        boolean ownerActive = ownerCache.computeIfAbsent(agent.ownerId(),
                owner -> directory.findUser(owner).map(DirectoryUser::active).orElse(false));
        PurposeOfUse purpose = null;
        if (request.purposeOfUse() != null) {
            try {
                purpose = PurposeOfUse.valueOf(request.purposeOfUse());
            } catch (IllegalArgumentException e) {
                throw new GatewayDenied(400, List.of(ReasonCodes.INVALID_REQUEST), "Unknown purpose of use " + request.purposeOfUse(), 0);
            }
        }
        return new DecisionInput(
                new DecisionInput.Agent(agent.clientId() == null ? agent.id().toString() : agent.clientId(), agent.status(),
                        ownerActive, agent.dataScopes(), agent.tools(), clearance, phiApproved),
                new DecisionInput.Tool(tool.key(), tool.maxK()),
                new DecisionInput.Dataset(dataset.key(), dataset.sensitivity(), dataset.phi(), dataset.deidentified(),
                        dataset.allowedPurposes(), dataset.phi() && !dataset.deidentified() && !phiApproved),
                purpose, new DecisionInput.Request(request.k()),
                new DecisionInput.KillSwitches(covered.global(), covered.agent(), covered.tool(), covered.dataset()),
                clock.instant());
    }

    private static <T> Optional<T> cached(Map<String, Optional<T>> cache, String key, Supplier<T> load) {
        return cache.computeIfAbsent(key, k -> {
            try {
                return Optional.of(load.get());
            } catch (RegistryException.NotFound e) {
                return Optional.empty();
            }
        });
    }

    private void deny(int status, @Nullable AgentView agent, String clientId, String tool, GatewayRequest request,
            String digest, List<String> reasons, String message) {
        deny(status, agent, clientId, tool, request, digest, reasons, message, 0);
    }

    private void deny(int status, @Nullable AgentView agent, String clientId, String tool, GatewayRequest request,
            String digest, List<String> reasons, String message, long retryAfter) {
        recordDecision(agent, clientId, tool, request, digest, new Decision(false, reasons, Decision.Obligations.none(), null));
        throw new GatewayDenied(status, reasons, message, retryAfter);
    }

    private void recordDecision(@Nullable AgentView agent, String clientId, String tool, GatewayRequest request, String digest,
            Decision decision) {
        var builder = AuditEvent.builder("gateway.decision", AuditActor.agent(clientId, agent == null ? null : agent.ownerId()),
                        new AuditTarget("tool", tool))
                .agent(clientId).owner(agent == null ? null : agent.ownerId()).tool(tool).dataset(request.dataset())
                .decision(decision.allow() ? "PERMIT" : "DENY").purposeOfUse(request.purposeOfUse()).requestDigest(digest)
                .outcome(decision.allow() ? Outcome.SUCCESS : Outcome.MINOR_FAILURE).detail("k", request.k())
                .detail("collection", request.collection()).detail("decisionId", decision.decisionId());
        decision.reasons().forEach(builder::reason);
        append(builder.build());
    }

    /**
     * The outcome record is queued behind the decision record, in chain order, and the answer does not wait
     * for its commit: the call was already recorded durably (decision, request digest) before anything was
     * forwarded, and the outcome's commit follows within one group commit. A queued record that then fails
     * to commit is logged as an error and counted.
     */
    private void recordOutcome(AgentView agent, String clientId, String tool, GatewayRequest request, String digest,
            Outcome outcome, long started, int hits) {
        AuditEvent event = AuditEvent.builder("gateway.outcome", AuditActor.agent(clientId, agent.ownerId()),
                        new AuditTarget("tool", tool))
                .agent(clientId).owner(agent.ownerId()).tool(tool).dataset(request.dataset()).purposeOfUse(request.purposeOfUse())
                .requestDigest(digest).outcome(outcome).latencyMicros((System.nanoTime() - started) / 1000)
                .detail("hits", hits).build();
        try {
            audit.appendQueued(event).whenComplete((record, failure) -> {
                if (failure != null) {
                    lostOutcomes.increment();
                    log.error("The outcome record of a {} call by {} could not be committed", tool, clientId, failure);
                }
            });
        } catch (AuditWriteFailed e) {
            throw new GatewayDenied(503, List.of(ReasonCodes.AUDIT_UNAVAILABLE), "The call could not be audited, so it is refused", 0);
        }
    }

    private void append(AuditEvent event) {
        try {
            audit.append(event);
        } catch (AuditWriteFailed e) {
            throw new GatewayDenied(503, List.of(ReasonCodes.AUDIT_UNAVAILABLE), "The call could not be audited, so it is refused", 0);
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
            sha.update((tool + "\u001f" + request.collection() + "\u001f" + request.dataset() + "\u001f" + request.text() + "\u001f"
                    + request.k() + "\u001f" + request.filter() + "\u001f").getBytes(StandardCharsets.UTF_8));
            float[] vector = request.vector();
            if (vector != null) {
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(vector.length * Float.BYTES);
                bytes.asFloatBuffer().put(vector);
                sha.update(bytes);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- cache invalidation and activity ------------------------------------------------------------

    @EventListener
    void on(AgentStatusChanged event) {
        agentCache.clear();
    }

    @EventListener
    void on(AgentGrantsChanged event) {
        agentCache.clear();
    }

    @EventListener
    void on(AgentOwnerChanged event) {
        agentCache.clear();
        ownerCache.clear();
    }

    @EventListener
    void on(DataScopeSaved event) {
        scopeCache.remove(event.key());
    }

    @EventListener
    void on(ToolSaved event) {
        toolCache.remove(event.key());
    }

    /** Writes the remembered last-activity times, once a minute, instead of once per call. */
    @Scheduled(fixedDelayString = "${warden.gateway.activity-flush:PT60S}")
    void flushActivity() {
        if (lastActive.isEmpty()) {
            return;
        }
        Map<AgentId, Instant> batch = new HashMap<>(lastActive);
        batch.forEach(lastActive::remove);
        registry.recordLastActivity(batch);
    }

    /** Drops every cached lookup; the periodic safety net behind the event-driven invalidation. */
    @Scheduled(fixedDelayString = "${warden.gateway.cache-refresh:PT30S}")
    void refreshCaches() {
        agentCache.clear();
        toolCache.clear();
        scopeCache.clear();
        ownerCache.clear();
    }
}
