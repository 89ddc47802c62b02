package io.warden.registry.internal;

import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.ApprovalId;
import io.warden.registry.Commands;
import io.warden.registry.ModelInfo;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.RiskTier;
import io.warden.registry.events.AgentGrantsChanged;
import io.warden.registry.events.AgentIdentityAssigned;
import io.warden.registry.events.AgentOwnerChanged;
import io.warden.registry.events.AgentPhiApproved;
import io.warden.registry.events.AgentRecertified;
import io.warden.registry.events.AgentRegistered;
import io.warden.registry.events.AgentStatusChanged;
import io.warden.registry.events.AgentUpdated;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The agent aggregate. Every change goes through a method that checks the current status, fails with
 * {@link RegistryException.IllegalStatusTransition} naming it, and records a past-tense event that the
 * service publishes in the same transaction. Not thread-safe: one instance serves one transaction.
 */
final class Agent {

    private final AgentId id;
    private String name;
    private final AgentKind kind;
    private String purpose;
    private AgentStatus status;
    private String ownerId;
    private @Nullable String clientId;
    private @Nullable ModelInfo model;
    private RiskTier riskTier;
    private SortedSet<String> requestedScopes;
    private SortedSet<String> requestedTools;
    private SortedSet<String> dataScopes;
    private SortedSet<String> tools;
    private SortedSet<PurposeOfUse> requestedPurposes;
    private SortedSet<PurposeOfUse> purposes;
    private SortedSet<String> phiApprovedScopes;
    /** PHI approvals recorded since the agent was read, for the repository to write. */
    private final List<PhiApproval> newPhiApprovals = new ArrayList<>();

    private final String createdBy;
    private final Instant createdAt;
    private Instant updatedAt;
    private @Nullable Instant approvedAt;
    private @Nullable Instant lastActiveAt;
    private @Nullable Instant recertifyBy;
    private final boolean demo;
    private long version;
    private final List<Object> events = new ArrayList<>();

    Agent(
            AgentId id,
            String name,
            AgentKind kind,
            String purpose,
            AgentStatus status,
            String ownerId,
            @Nullable String clientId,
            @Nullable ModelInfo model,
            RiskTier riskTier,
            SortedSet<String> requestedScopes,
            SortedSet<String> requestedTools,
            SortedSet<String> dataScopes,
            SortedSet<String> tools,
            SortedSet<PurposeOfUse> requestedPurposes,
            SortedSet<PurposeOfUse> purposes,
            SortedSet<String> phiApprovedScopes,
            String createdBy,
            Instant createdAt,
            Instant updatedAt,
            @Nullable Instant approvedAt,
            @Nullable Instant lastActiveAt,
            @Nullable Instant recertifyBy,
            boolean demo,
            long version) {
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.purpose = purpose;
        this.status = status;
        this.ownerId = ownerId;
        this.clientId = clientId;
        this.model = model;
        this.riskTier = riskTier;
        this.requestedScopes = new TreeSet<>(requestedScopes);
        this.requestedTools = new TreeSet<>(requestedTools);
        this.dataScopes = new TreeSet<>(dataScopes);
        this.tools = new TreeSet<>(tools);
        this.requestedPurposes = new TreeSet<>(requestedPurposes);
        this.purposes = new TreeSet<>(purposes);
        this.phiApprovedScopes = new TreeSet<>(phiApprovedScopes);
        this.createdBy = createdBy;
        this.createdAt = createdAt;
        this.updatedAt = updatedAt;
        this.approvedAt = approvedAt;
        this.lastActiveAt = lastActiveAt;
        this.recertifyBy = recertifyBy;
        this.demo = demo;
        this.version = version;
    }

    /** A new agent in DRAFT at version 0 (the repository makes it 1 when it inserts it). */
    static Agent register(
            AgentId id,
            Commands.RegisterAgent command,
            String ownerId,
            RiskTier requestedRisk,
            @Nullable String clientId,
            boolean demo,
            Actor actor,
            Instant now) {
        Agent agent = new Agent(
                id,
                command.name(),
                command.kind(),
                command.purpose(),
                AgentStatus.DRAFT,
                ownerId,
                clientId,
                command.model(),
                requestedRisk,
                command.dataScopes(),
                command.tools(),
                new TreeSet<>(),
                new TreeSet<>(),
                command.purposesOfUse(),
                new TreeSet<>(),
                new TreeSet<>(),
                actor.id(),
                now,
                now,
                null,
                null,
                null,
                demo,
                0);
        agent.events.add(new AgentRegistered(
                id,
                command.name(),
                command.kind(),
                ownerId,
                agent.requestedScopesCopy(),
                agent.requestedToolsCopy(),
                agent.requestedPurposesCopy(),
                actor.id(),
                now));
        return agent;
    }

    void submit(Actor actor, Instant now) {
        moveTo(AgentStatus.PENDING_APPROVAL, "submit for approval", "submitted for approval", actor, now);
    }

    /** Activation after an approved registration: the approved grants become the agent's grants. */
    void activate(
            ApprovalId approvalId,
            SortedSet<String> grantedScopes,
            SortedSet<String> grantedTools,
            SortedSet<PurposeOfUse> grantedPurposes,
            RiskTier grantedRisk,
            Instant recertifyBy,
            Actor approver,
            Instant now) {
        moveTo(AgentStatus.ACTIVE, "be activated", "registration approved", approver, now);
        this.approvedAt = now;
        this.recertifyBy = recertifyBy;
        grant(grantedScopes, grantedTools, grantedPurposes, grantedRisk, approvalId, approver, now);
    }

    /** The owner attested the agent is still needed: the next recertification is due at {@code recertifyBy}. */
    void recertify(Instant recertifyBy, Actor actor, Instant now) {
        if (status != AgentStatus.ACTIVE && status != AgentStatus.SUSPENDED) {
            throw new RegistryException.IllegalStatusTransition(id, status, "be recertified");
        }
        this.recertifyBy = recertifyBy;
        touch(now);
        events.add(new AgentRecertified(id, recertifyBy, actor.id(), now));
    }

    /** The identity provisioned for the agent; set once. */
    void assignClientId(String clientId, Actor actor, Instant now) {
        if (this.clientId != null && !this.clientId.equals(clientId)) {
            throw new RegistryException.Conflict(
                    "identity-already-assigned", "Agent " + id + " already has the identity " + this.clientId);
        }
        if (this.clientId == null) {
            this.clientId = clientId;
            touch(now);
            events.add(new AgentIdentityAssigned(id, clientId, actor.id(), now));
        }
    }

    void returnToDraft(String reason, Actor actor, Instant now) {
        moveTo(AgentStatus.DRAFT, "return to DRAFT", reason, actor, now);
    }

    void suspend(String reason, Actor actor, Instant now) {
        moveTo(AgentStatus.SUSPENDED, "be suspended", reason, actor, now);
    }

    void reinstate(String reason, Actor actor, Instant now) {
        if (status != AgentStatus.SUSPENDED) {
            throw new RegistryException.IllegalStatusTransition(id, status, "be reinstated");
        }
        moveTo(AgentStatus.ACTIVE, "be reinstated", reason, actor, now);
    }

    void retire(String reason, Actor actor, Instant now) {
        moveTo(AgentStatus.RETIRED, "be retired", reason, actor, now);
    }

    void changeOwner(String newOwnerId, String reason, Actor actor, Instant now) {
        requireNotRetired("change owner");
        if (newOwnerId.equals(ownerId)) {
            throw new RegistryException.InvalidField("ownerId", "Agent " + id + " is already owned by " + newOwnerId);
        }
        String previous = ownerId;
        this.ownerId = newOwnerId;
        touch(now);
        events.add(new AgentOwnerChanged(id, previous, newOwnerId, reason, actor.id(), now));
    }

    void updateMetadata(Commands.UpdateAgent update, RiskTier requestedRisk, Actor actor, Instant now) {
        requireNotRetired("be updated");
        boolean changesRequest = update.requestedScopes() != null
                || update.requestedTools() != null
                || update.requestedPurposes() != null;
        if (changesRequest && status != AgentStatus.DRAFT) {
            throw new RegistryException.IllegalStatusTransition(
                    id,
                    status,
                    "change its requested scopes, tools or purposes (only a DRAFT can; request a change instead)");
        }
        this.name = update.name();
        this.purpose = update.purpose();
        this.model = update.model();
        if (update.requestedScopes() != null) {
            this.requestedScopes = new TreeSet<>(update.requestedScopes());
        }
        if (update.requestedTools() != null) {
            this.requestedTools = new TreeSet<>(update.requestedTools());
        }
        if (update.requestedPurposes() != null) {
            this.requestedPurposes = new TreeSet<>(update.requestedPurposes());
        }
        if (update.requestedScopes() != null) {
            this.riskTier = requestedRisk;
        }
        touch(now);
        events.add(new AgentUpdated(id, version + 1, actor.id(), now));
    }

    /**
     * Apply an approved change: the given sets become the agent's grants. A PHI approval goes with its scope:
     * a scope given up and asked for again needs a compliance officer again. (A registration's PHI approvals
     * are recorded before activation, for scopes it then grants, so they stay.)
     */
    void grant(
            SortedSet<String> newScopes,
            SortedSet<String> newTools,
            SortedSet<PurposeOfUse> newPurposes,
            RiskTier newRisk,
            ApprovalId approvalId,
            Actor approver,
            Instant now) {
        requireNotRetired("be granted scopes or tools");
        this.dataScopes = new TreeSet<>(newScopes);
        this.tools = new TreeSet<>(newTools);
        this.purposes = new TreeSet<>(newPurposes);
        this.phiApprovedScopes.retainAll(newScopes);
        this.riskTier = newRisk;
        touch(now);
        events.add(new AgentGrantsChanged(
                id,
                approvalId,
                copy(dataScopes),
                copy(tools),
                copy(purposes),
                copy(phiApprovedScopes),
                newRisk,
                approver.id(),
                now));
    }

    /**
     * A compliance officer approved the agent to read these PHI scopes (requested or held) by deciding the
     * approval; the repository writes them with the agent.
     */
    void approvePhi(SortedSet<String> scopes, ApprovalId approvalId, Actor complianceOfficer, Instant now) {
        requireNotRetired("be approved for PHI");
        if (scopes.isEmpty()) {
            return;
        }
        phiApprovedScopes.addAll(scopes);
        newPhiApprovals.add(new PhiApproval(copy(scopes), approvalId, complianceOfficer.id(), now));
        touch(now);
        events.add(new AgentPhiApproved(id, approvalId, copy(scopes), complianceOfficer.id(), now));
    }

    /** PHI approvals this agent gained since it was read, and not yet written. */
    record PhiApproval(SortedSet<String> scopes, ApprovalId approvalId, String approvedBy, Instant approvedAt) {}

    List<PhiApproval> drainNewPhiApprovals() {
        List<PhiApproval> drained = List.copyOf(newPhiApprovals);
        newPhiApprovals.clear();
        return drained;
    }

    private void moveTo(AgentStatus target, String attempted, String reason, Actor actor, Instant now) {
        if (!status.canMoveTo(target)) {
            throw new RegistryException.IllegalStatusTransition(id, status, attempted);
        }
        AgentStatus from = status;
        this.status = target;
        touch(now);
        events.add(new AgentStatusChanged(id, from, target, reason, actor.id(), now));
    }

    private void requireNotRetired(String attempted) {
        if (status == AgentStatus.RETIRED) {
            throw new RegistryException.IllegalStatusTransition(id, status, attempted);
        }
    }

    private void touch(Instant now) {
        this.updatedAt = now;
    }

    /** The events recorded since the last call, oldest first; the list is cleared. */
    List<Object> drainEvents() {
        List<Object> drained = List.copyOf(events);
        events.clear();
        return drained;
    }

    void versionSaved(long newVersion) {
        this.version = newVersion;
    }

    public AgentView view() {
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
                copy(dataScopes),
                copy(tools),
                copy(purposes),
                copy(phiApprovedScopes),
                createdAt,
                updatedAt,
                approvedAt,
                lastActiveAt,
                recertifyBy,
                demo,
                version);
    }

    private static <T> SortedSet<T> copy(SortedSet<T> set) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(set));
    }

    SortedSet<String> requestedScopesCopy() {
        return copy(requestedScopes);
    }

    SortedSet<String> requestedToolsCopy() {
        return copy(requestedTools);
    }

    SortedSet<PurposeOfUse> requestedPurposesCopy() {
        return copy(requestedPurposes);
    }

    AgentId id() {
        return id;
    }

    String name() {
        return name;
    }

    AgentKind kind() {
        return kind;
    }

    String purpose() {
        return purpose;
    }

    AgentStatus status() {
        return status;
    }

    String ownerId() {
        return ownerId;
    }

    @Nullable
    String clientId() {
        return clientId;
    }

    @Nullable
    ModelInfo model() {
        return model;
    }

    RiskTier riskTier() {
        return riskTier;
    }

    SortedSet<String> dataScopes() {
        return copy(dataScopes);
    }

    SortedSet<String> tools() {
        return copy(tools);
    }

    SortedSet<PurposeOfUse> purposes() {
        return copy(purposes);
    }

    SortedSet<String> phiApprovedScopes() {
        return copy(phiApprovedScopes);
    }

    String createdBy() {
        return createdBy;
    }

    Instant createdAt() {
        return createdAt;
    }

    Instant updatedAt() {
        return updatedAt;
    }

    @Nullable
    Instant approvedAt() {
        return approvedAt;
    }

    @Nullable
    Instant lastActiveAt() {
        return lastActiveAt;
    }

    @Nullable
    Instant recertifyBy() {
        return recertifyBy;
    }

    boolean demo() {
        return demo;
    }

    long version() {
        return version;
    }
}
