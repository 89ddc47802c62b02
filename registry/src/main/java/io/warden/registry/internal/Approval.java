package io.warden.registry.internal;

import io.warden.registry.Actor;
import io.warden.registry.ActorType;
import io.warden.registry.AgentId;
import io.warden.registry.ApprovalId;
import io.warden.registry.ApprovalKind;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.ApprovalView;
import io.warden.registry.Commands;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import io.warden.registry.events.ApprovalDecided;
import io.warden.registry.events.ApprovalRequested;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The approval aggregate. Its decision rules are the segregation of duties Warden promises: the approver
 * is neither the requester nor anyone who owned the agent since the request, and an approval that touches
 * PHI or highly confidential data is decided by a compliance officer. Whether it does is known again at the
 * decision (a scope may have been reclassified since the request) and never goes down once raised. Not
 * thread-safe: one instance serves one transaction.
 */
final class Approval {

    /** Rule names, stable: they appear in 403 problem documents and the portal shows them. */
    static final String RULE_NOT_REQUESTER = "approver-is-not-requester";

    static final String RULE_NOT_OWNER = "approver-is-not-owner";
    static final String RULE_COMPLIANCE = "phi-needs-compliance-approver";

    private final ApprovalId id;
    private final AgentId agentId;
    private final ApprovalKind kind;
    private ApprovalStatus status;
    private final SortedSet<String> addScopes;
    private final SortedSet<String> removeScopes;
    private final SortedSet<String> addTools;
    private final SortedSet<String> removeTools;
    private final SortedSet<PurposeOfUse> addPurposes;
    private final SortedSet<PurposeOfUse> removePurposes;
    private final String justification;
    private boolean requiresCompliance;
    private final String requestedBy;
    private final Instant requestedAt;
    private final SortedSet<String> ownersSinceRequest;
    private @Nullable String decidedBy;
    private @Nullable Instant decidedAt;
    private @Nullable String decisionReason;
    private long version;
    private final List<Object> events = new ArrayList<>();

    Approval(
            ApprovalId id,
            AgentId agentId,
            ApprovalKind kind,
            ApprovalStatus status,
            SortedSet<String> addScopes,
            SortedSet<String> removeScopes,
            SortedSet<String> addTools,
            SortedSet<String> removeTools,
            SortedSet<PurposeOfUse> addPurposes,
            SortedSet<PurposeOfUse> removePurposes,
            String justification,
            boolean requiresCompliance,
            String requestedBy,
            Instant requestedAt,
            SortedSet<String> ownersSinceRequest,
            @Nullable String decidedBy,
            @Nullable Instant decidedAt,
            @Nullable String decisionReason,
            long version) {
        this.id = id;
        this.agentId = agentId;
        this.kind = kind;
        this.status = status;
        this.addScopes = new TreeSet<>(addScopes);
        this.removeScopes = new TreeSet<>(removeScopes);
        this.addTools = new TreeSet<>(addTools);
        this.removeTools = new TreeSet<>(removeTools);
        this.addPurposes = new TreeSet<>(addPurposes);
        this.removePurposes = new TreeSet<>(removePurposes);
        this.justification = justification;
        this.requiresCompliance = requiresCompliance;
        this.requestedBy = requestedBy;
        this.requestedAt = requestedAt;
        this.ownersSinceRequest = new TreeSet<>(ownersSinceRequest);
        this.decidedBy = decidedBy;
        this.decidedAt = decidedAt;
        this.decisionReason = decisionReason;
        this.version = version;
    }

    static Approval request(
            ApprovalId id,
            AgentId agentId,
            ApprovalKind kind,
            Commands.RequestChange change,
            boolean requiresCompliance,
            String ownerId,
            Actor requester,
            Instant now) {
        Approval approval = new Approval(
                id,
                agentId,
                kind,
                ApprovalStatus.PENDING,
                change.addScopes(),
                change.removeScopes(),
                change.addTools(),
                change.removeTools(),
                change.addPurposes(),
                change.removePurposes(),
                change.justification(),
                requiresCompliance,
                requester.id(),
                now,
                new TreeSet<>(Set.of(ownerId)),
                null,
                null,
                null,
                0);
        approval.events.add(new ApprovalRequested(id, agentId, kind, requiresCompliance, requester.id(), now));
        return approval;
    }

    /** The agent passed to a new owner while this approval waits: that owner may not decide it either. */
    void ownerChanged(String newOwnerId) {
        requirePending();
        ownersSinceRequest.add(newOwnerId);
    }

    /**
     * What the approval touches needs a compliance officer now (a scope was reclassified since the request);
     * once raised it stays raised, so declassifying a scope never lets someone else decide.
     */
    void complianceNeeded(boolean needed) {
        if (needed && status == ApprovalStatus.PENDING) {
            requiresCompliance = true;
        }
    }

    /**
     * Checks that {@code approver} may decide this approval for an agent owned by {@code ownerId}: neither the
     * requester, nor the current owner, nor anyone who owned the agent since the request.
     *
     * @throws RegistryException.AccessRuleViolated naming the rule that forbids it
     */
    void checkDecider(Actor approver, String ownerId) {
        if (approver.type() == ActorType.SYSTEM) {
            return; // Warden rejects on its own (an invalid owner, no decision in time); it never approves
        }
        if (approver.id().equals(requestedBy)) {
            throw new RegistryException.AccessRuleViolated(
                    RULE_NOT_REQUESTER, "The approver may not be the requester of the approval (" + requestedBy + ")");
        }
        if (approver.id().equals(ownerId)) {
            throw new RegistryException.AccessRuleViolated(
                    RULE_NOT_OWNER, "The approver may not be the owner of the agent (" + ownerId + ")");
        }
        if (ownersSinceRequest.contains(approver.id())) {
            throw new RegistryException.AccessRuleViolated(
                    RULE_NOT_OWNER,
                    "The approver owned the agent since this approval was requested (" + approver.id()
                            + ") and may not decide it");
        }
        if (requiresCompliance && !approver.has(Role.COMPLIANCE)) {
            throw new RegistryException.AccessRuleViolated(
                    RULE_COMPLIANCE,
                    "This approval touches PHI or highly confidential data; a COMPLIANCE officer must decide it");
        }
    }

    void approve(Actor approver, String ownerId, String reason, Instant now) {
        if (approver.type() != ActorType.PERSON) {
            throw new RegistryException.AccessRuleViolated(
                    "people-approve", "Only a person approves; Warden never does");
        }
        decide(ApprovalStatus.APPROVED, approver, ownerId, reason, now);
    }

    void reject(Actor approver, String ownerId, String reason, Instant now) {
        decide(ApprovalStatus.REJECTED, approver, ownerId, reason, now);
    }

    /** The agent was retired while this approval waited; nobody decides it any more. */
    void withdraw(String reason, Actor actor, Instant now) {
        requirePending();
        this.status = ApprovalStatus.WITHDRAWN;
        this.decidedBy = actor.id();
        this.decidedAt = now;
        this.decisionReason = reason;
        events.add(new ApprovalDecided(id, agentId, kind, ApprovalStatus.WITHDRAWN, reason, actor.id(), now));
    }

    private void decide(ApprovalStatus decision, Actor approver, String ownerId, String reason, Instant now) {
        requirePending();
        checkDecider(approver, ownerId);
        this.status = decision;
        this.decidedBy = approver.id();
        this.decidedAt = now;
        this.decisionReason = reason;
        events.add(new ApprovalDecided(id, agentId, kind, decision, reason, approver.id(), now));
    }

    private void requirePending() {
        if (status != ApprovalStatus.PENDING) {
            throw new RegistryException.Conflict(
                    "approval-already-decided",
                    "Approval " + id + " is " + status + "; only a PENDING approval can be decided");
        }
    }

    /** The purposes of use an agent holds once this approval is applied to {@code current}. */
    SortedSet<PurposeOfUse> applyToPurposes(SortedSet<PurposeOfUse> current) {
        SortedSet<PurposeOfUse> result = new TreeSet<>(current);
        result.addAll(addPurposes);
        result.removeAll(removePurposes);
        return result;
    }

    /** The grants an agent holds once this approval is applied to {@code current}. */
    SortedSet<String> applyTo(SortedSet<String> current, boolean scopes) {
        SortedSet<String> result = new TreeSet<>(current);
        result.addAll(scopes ? addScopes : addTools);
        result.removeAll(scopes ? removeScopes : removeTools);
        return result;
    }

    List<Object> drainEvents() {
        List<Object> drained = List.copyOf(events);
        events.clear();
        return drained;
    }

    void versionSaved(long newVersion) {
        this.version = newVersion;
    }

    public ApprovalView view() {
        return new ApprovalView(
                id,
                agentId,
                kind,
                status,
                unmodifiable(addScopes),
                unmodifiable(removeScopes),
                unmodifiable(addTools),
                unmodifiable(removeTools),
                unmodifiable(addPurposes),
                unmodifiable(removePurposes),
                justification,
                requiresCompliance,
                requestedBy,
                requestedAt,
                unmodifiable(ownersSinceRequest),
                decidedBy,
                decidedAt,
                decisionReason,
                version);
    }

    private static <T> SortedSet<T> unmodifiable(SortedSet<T> set) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(set));
    }

    ApprovalId id() {
        return id;
    }

    AgentId agentId() {
        return agentId;
    }

    ApprovalKind kind() {
        return kind;
    }

    ApprovalStatus status() {
        return status;
    }

    SortedSet<String> addScopes() {
        return unmodifiable(addScopes);
    }

    SortedSet<String> removeScopes() {
        return unmodifiable(removeScopes);
    }

    SortedSet<String> addTools() {
        return unmodifiable(addTools);
    }

    SortedSet<String> removeTools() {
        return unmodifiable(removeTools);
    }

    SortedSet<PurposeOfUse> addPurposes() {
        return unmodifiable(addPurposes);
    }

    SortedSet<PurposeOfUse> removePurposes() {
        return unmodifiable(removePurposes);
    }

    SortedSet<String> ownersSinceRequest() {
        return unmodifiable(ownersSinceRequest);
    }

    String justification() {
        return justification;
    }

    boolean requiresCompliance() {
        return requiresCompliance;
    }

    String requestedBy() {
        return requestedBy;
    }

    Instant requestedAt() {
        return requestedAt;
    }

    @Nullable
    String decidedBy() {
        return decidedBy;
    }

    @Nullable
    Instant decidedAt() {
        return decidedAt;
    }

    @Nullable
    String decisionReason() {
        return decisionReason;
    }

    long version() {
        return version;
    }
}
