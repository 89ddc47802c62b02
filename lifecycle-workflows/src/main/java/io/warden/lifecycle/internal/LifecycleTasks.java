package io.warden.lifecycle.internal;

import static io.warden.bpmn.BpmnProcesses.TaskTypes.ACTIVATE_AGENT;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.CLASSIFY_RISK;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.DISABLE_IDENTITY;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.ENABLE_IDENTITY;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.KEEP_AGENT;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.NOTIFY_ADMINS;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.NOTIFY_MANAGER;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.NOTIFY_OWNER;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.PROVISION_IDENTITY;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.RECERTIFY_AGENT;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.REINSTATE_AGENT;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.REJECT_REGISTRATION;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.REQUEST_ATTESTATION;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.RETIRE_AGENT;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.SUSPEND_AGENT;
import static io.warden.bpmn.BpmnProcesses.TaskTypes.VERIFY_OWNER;

import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.Job;
import io.warden.lifecycle.JobResult;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.registry.Actor;
import io.warden.registry.AgentActivity;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.Agents;
import io.warden.registry.ApprovalKind;
import io.warden.registry.ApprovalQueries;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.ApprovalView;
import io.warden.registry.Approvals;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.IdentityProvisioner;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The handler of every service task in Warden's processes, the same for both engines. Each is idempotent
 * (an engine may deliver a job twice) and never moves an agent in a way the registry's state machine
 * forbids: a step that finds the agent already where it would put it completes without a change.
 */
final class LifecycleTasks {

    /** Warden's workflows act under this actor in the registry and the audit trail. */
    public static final Actor SYSTEM = Actor.system("lifecycle-workflows");

    private final Agents agents;
    private final AgentQueries agentQueries;
    private final Approvals approvals;
    private final ApprovalQueries approvalQueries;
    private final AgentActivity activity;
    private final Directory directory;
    private final IdentityProvisioner identities;
    private final Notifications notifications;
    /** The processes' timers give 14 days to act (attest, adopt, keep); the inbox shows the deadline. */
    static final Duration GRACE = Duration.ofDays(14);

    private final Clock clock;
    /** The recertification period in days, from its lifecycle rule. */
    private final LongSupplier periodDays;

    public LifecycleTasks(
            Agents agents,
            AgentQueries agentQueries,
            Approvals approvals,
            ApprovalQueries approvalQueries,
            AgentActivity activity,
            Directory directory,
            IdentityProvisioner identities,
            Notifications notifications,
            Clock clock,
            LongSupplier periodDays) {
        this.periodDays = periodDays;
        this.agents = agents;
        this.agentQueries = agentQueries;
        this.approvals = approvals;
        this.approvalQueries = approvalQueries;
        this.activity = activity;
        this.directory = directory;
        this.identities = identities;
        this.notifications = notifications;
        this.clock = clock;
    }

    public void registerWith(WorkflowEngine engine) {
        engine.register(VERIFY_OWNER, this::verifyOwner);
        engine.register(CLASSIFY_RISK, this::classifyRisk);
        engine.register(NOTIFY_ADMINS, this::notifyAdmins);
        engine.register(REJECT_REGISTRATION, this::rejectRegistration);
        engine.register(PROVISION_IDENTITY, this::provisionIdentity);
        engine.register(ACTIVATE_AGENT, this::activate);
        engine.register(REQUEST_ATTESTATION, this::requestAttestation);
        engine.register(RECERTIFY_AGENT, this::recertify);
        engine.register(SUSPEND_AGENT, this::suspend);
        engine.register(REINSTATE_AGENT, this::reinstate);
        engine.register(RETIRE_AGENT, this::retire);
        engine.register(NOTIFY_MANAGER, this::notifyManager);
        engine.register(NOTIFY_OWNER, this::notifyOwner);
        engine.register(KEEP_AGENT, this::keep);
        engine.register(DISABLE_IDENTITY, this::disableIdentity);
        engine.register(ENABLE_IDENTITY, this::enableIdentity);
    }

    private AgentView agent(Job job) {
        return agentQueries.get(AgentId.of(job.agentId()));
    }

    JobResult verifyOwner(Job job) {
        AgentView agent = agent(job);
        Optional<DirectoryUser> owner = directory.findUser(agent.ownerId());
        if (owner.isEmpty() || !owner.get().active()) {
            return new JobResult.BpmnError(
                    BpmnProcesses.Errors.OWNER_INVALID,
                    "The owner " + agent.ownerId() + " is not an active person in the directory");
        }
        return JobResult.complete(Map.of("ownerVerified", true, "ownerId", agent.ownerId()));
    }

    JobResult classifyRisk(Job job) {
        AgentView agent = agent(job);
        boolean compliance = pendingRegistration(agent.id())
                .map(ApprovalView::requiresCompliance)
                .orElse(false);
        return JobResult.complete(Map.of("riskTier", agent.riskTier().name(), "requiresCompliance", compliance));
    }

    JobResult notifyAdmins(Job job) {
        AgentView agent = agent(job);
        String subject = "Registration of " + agent.name() + " waits for a decision";
        String body = "The registration of " + agent.name() + " (" + agent.id()
                + ") has waited 3 days; it is rejected after 14.";
        notifications.send("role:ADMIN", job.agentId(), job.processId(), subject, body);
        if (Boolean.TRUE.equals(job.variables().get("requiresCompliance"))) {
            notifications.send("role:COMPLIANCE", job.agentId(), job.processId(), subject, body);
        }
        return JobResult.complete();
    }

    JobResult rejectRegistration(Job job) {
        String reason = job.variables().containsKey("ownerVerified")
                ? "No decision within 14 days"
                : "The owner is not an active person in the directory";
        pendingRegistration(AgentId.of(job.agentId()))
                .ifPresent(pending -> approvals.reject(pending.id(), reason, SYSTEM));
        return JobResult.complete(Map.of("rejectedBecause", reason));
    }

    JobResult provisionIdentity(Job job) {
        AgentView agent = agent(job);
        if (agent.status() == AgentStatus.RETIRED) {
            return JobResult.complete(
                    Map.of("provisioned", false)); // retired while waiting: an identity now would outlive it
        }
        String clientId = identities.provision(agent);
        AgentView assigned = agents.assignIdentity(agent.id(), clientId, SYSTEM);
        if (assigned.status() == AgentStatus.RETIRED) {
            // retired while the identity was being made, before it was recorded: the retirement found nothing to remove
            identities.remove(assigned);
        }
        return JobResult.complete(Map.of("clientId", clientId));
    }

    JobResult activate(Job job) {
        AgentView agent = agent(job);
        if (agent.status() != AgentStatus.PENDING_APPROVAL && agent.status() != AgentStatus.ACTIVE) {
            return JobResult.complete(
                    Map.of("activated", false)); // withdrawn or retired meanwhile: nothing to activate
        }
        agents.activate(agent.id(), SYSTEM);
        return JobResult.complete(Map.of("activated", true));
    }

    JobResult requestAttestation(Job job) {
        AgentView agent = agent(job);
        notifications.send(
                agent.ownerId(),
                job.agentId(),
                job.processId(),
                "Recertify " + agent.name(),
                "Attest within 14 days that " + agent.name() + " and its data scopes " + agent.dataScopes()
                        + " are still needed, or it is suspended.",
                clock.instant().plus(GRACE));
        return JobResult.complete();
    }

    JobResult recertify(Job job) {
        agents.recertify(AgentId.of(job.agentId()), Duration.ofDays(periodDays.getAsLong()), SYSTEM);
        return JobResult.complete();
    }

    JobResult suspend(Job job) {
        AgentView agent = agent(job);
        if (agent.status() == AgentStatus.ACTIVE) {
            agents.suspend(
                    agent.id(),
                    switch (job.processId()) {
                        case BpmnProcesses.RECERTIFICATION -> "No recertification within 14 days";
                        case BpmnProcesses.ORPHANED -> "The owner left and nobody took the agent over within 14 days";
                        case BpmnProcesses.INCIDENT ->
                            "Incident: " + job.text("incidentReason", "kill switch or risk signal");
                        default -> "Suspended by " + job.processId();
                    },
                    SYSTEM);
        }
        return JobResult.complete(Map.of("suspendedFrom", agent.status().name()));
    }

    JobResult reinstate(Job job) {
        AgentView agent = agent(job);
        if (agent.status() == AgentStatus.SUSPENDED) {
            agents.reinstate(
                    agent.id(),
                    job.processId().equals(BpmnProcesses.INCIDENT)
                            ? "Incident resolved: reinstated by " + job.text("resolvedBy", "security operations")
                            : "Recertified after suspension",
                    SYSTEM);
        }
        return JobResult.complete();
    }

    JobResult retire(Job job) {
        AgentView agent = agent(job);
        if (agent.status() != AgentStatus.RETIRED) {
            agents.retire(
                    agent.id(),
                    switch (job.processId()) {
                        case BpmnProcesses.RETIREMENT -> "Dormant, and the owner did not keep it";
                        case BpmnProcesses.RECERTIFICATION -> "Not recertified within 44 days";
                        case BpmnProcesses.INCIDENT ->
                            "Incident resolved: retired by " + job.text("resolvedBy", "security operations");
                        default -> "Retired by " + job.processId();
                    },
                    SYSTEM);
        }
        return JobResult.complete();
    }

    JobResult notifyManager(Job job) {
        AgentView agent = agent(job);
        String manager = directory
                .findUser(agent.ownerId())
                .map(DirectoryUser::managerId)
                .orElse(null);
        notifications.send(
                manager == null ? "role:ADMIN" : manager,
                job.agentId(),
                job.processId(),
                agent.name() + " needs a new owner",
                "The owner " + agent.ownerId() + " of " + agent.name()
                        + " is no longer active. Name a new owner within 14 days, or the agent is suspended.",
                clock.instant().plus(GRACE));
        return JobResult.complete(Map.of("notified", manager == null ? "role:ADMIN" : manager));
    }

    JobResult notifyOwner(Job job) {
        AgentView agent = agent(job);
        notifications.send(
                agent.ownerId(),
                job.agentId(),
                job.processId(),
                agent.name() + " is dormant",
                agent.name() + " has not been used since "
                        + (agent.lastActiveAt() == null ? "it was approved" : agent.lastActiveAt())
                        + ". Keep it within 14 days, or it is retired.",
                clock.instant().plus(GRACE));
        return JobResult.complete();
    }

    JobResult keep(Job job) {
        activity.recordLastActivity(Map.of(AgentId.of(job.agentId()), clock.instant()));
        return JobResult.complete();
    }

    JobResult disableIdentity(Job job) {
        AgentView agent = agent(job);
        if (agent.clientId() != null) {
            identities.disable(agent);
        }
        return JobResult.complete();
    }

    JobResult enableIdentity(Job job) {
        AgentView agent = agent(job);
        if (agent.clientId() != null) {
            identities.enable(agent);
        }
        return JobResult.complete();
    }

    private Optional<ApprovalView> pendingRegistration(AgentId agentId) {
        List<ApprovalView> pending =
                approvalQueries.approvals(ApprovalStatus.PENDING, agentId, 0, 1).items();
        return pending.stream()
                .filter(a -> a.kind() == ApprovalKind.REGISTRATION)
                .findFirst();
    }
}
