package io.warden.lifecycle.internal;

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

/** {@link AgentLifecycle} on the workflow engine: people's decisions become messages to the running processes. */
final class LifecycleService implements AgentLifecycle {

    private final WorkflowEngine engine;
    private final AgentQueries registry;

    public LifecycleService(WorkflowEngine engine, AgentQueries registry) {
        this.engine = engine;
        this.registry = registry;
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
