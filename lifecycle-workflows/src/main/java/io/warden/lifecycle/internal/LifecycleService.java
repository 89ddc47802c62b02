package io.warden.lifecycle.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import io.warden.audit.problem.ProblemKind;
import io.warden.bpmn.BpmnProcesses;
import io.warden.bpmn.BpmnProcesses.Messages;
import io.warden.lifecycle.AgentLifecycle;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.lifecycle.WorkflowRefused;
import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import io.warden.registry.Role;
import java.util.List;
import java.util.Map;

/**
 * {@link AgentLifecycle} on the workflow engine: people's decisions become messages to the running processes, and each
 * is recorded in the audit trail under the person who made it (the processes' own records are the system's).
 */
final class LifecycleService implements AgentLifecycle {

    private final WorkflowEngine engine;
    private final AgentQueries registry;
    private final AuditLog audit;

    public LifecycleService(WorkflowEngine engine, AgentQueries registry, AuditLog audit) {
        this.engine = engine;
        this.registry = registry;
        this.audit = audit;
    }

    @Override
    public boolean raiseIncident(AgentId agentId, String reason, String actorId) {
        registry.get(agentId); // 404 for an unknown agent
        return engine.start(
                BpmnProcesses.INCIDENT, agentId.toString(), Map.of("incidentReason", reason, "raisedBy", actorId));
    }

    @Override
    public void resolveIncident(AgentId agentId, Resolution resolution, String reason, Actor actor) {
        registry.get(agentId);
        requireRunning(
                BpmnProcesses.INCIDENT, agentId, "no-open-incident", "Agent " + agentId + " has no open incident");
        engine.correlate(
                resolution == Resolution.REINSTATE ? Messages.INCIDENT_REINSTATE : Messages.INCIDENT_RETIRE,
                agentId.toString(),
                Map.of("resolvedBy", actor.id(), "resolution", resolution.name(), "resolutionReason", reason));
        recordDecision(
                "lifecycle.incident_resolved",
                agentId,
                actor,
                Map.of("resolution", resolution.name(), "reason", reason));
    }

    @Override
    public void attest(AgentId agentId, Actor actor) {
        requireOwnerOrAdmin(registry.get(agentId), actor);
        requireRunning(
                BpmnProcesses.RECERTIFICATION,
                agentId,
                "no-recertification-open",
                "Agent " + agentId + " is not waiting for a recertification");
        engine.correlate(Messages.AGENT_ATTESTED, agentId.toString(), Map.of("attestedBy", actor.id()));
        recordDecision("lifecycle.attested", agentId, actor, Map.of());
    }

    @Override
    public void keep(AgentId agentId, Actor actor) {
        requireOwnerOrAdmin(registry.get(agentId), actor);
        requireRunning(
                BpmnProcesses.RETIREMENT,
                agentId,
                "no-retirement-pending",
                "Agent " + agentId + " is not due for retirement");
        engine.correlate(Messages.AGENT_KEPT, agentId.toString(), Map.of("keptBy", actor.id()));
        recordDecision("lifecycle.kept", agentId, actor, Map.of());
    }

    /**
     * The person's decision, once the process has it: the message is delivered first, so the trail never says
     * someone attested a recertification that was not there to receive it.
     */
    private void recordDecision(String action, AgentId agentId, Actor actor, Map<String, String> details) {
        var event = AuditEvent.builder(
                        action, AuditActor.person(actor.id()), new AuditTarget("agent", agentId.toString()))
                .agent(agentId.toString())
                .outcome(Outcome.SUCCESS);
        details.forEach(event::detail);
        audit.append(event.build());
    }

    @Override
    public List<String> runningProcesses(AgentId agentId) {
        return BpmnProcesses.LIFECYCLE.stream()
                .filter(process -> engine.running(process, agentId.toString()))
                .toList();
    }

    private void requireRunning(String process, AgentId agentId, String code, String message) {
        if (!engine.running(process, agentId.toString())) {
            throw new WorkflowRefused(ProblemKind.CONFLICT, code, message);
        }
    }

    private static void requireOwnerOrAdmin(AgentView agent, Actor actor) {
        if (!actor.has(Role.ADMIN) && !agent.ownerId().equals(actor.id())) {
            throw new WorkflowRefused(
                    ProblemKind.FORBIDDEN,
                    "owner-acts-on-own-agents",
                    "Only the agent's owner or an ADMIN may do this to agent " + agent.id());
        }
    }
}
