package io.warden.lifecycle.internal;

import io.warden.bpmn.BpmnProcesses;
import io.warden.bpmn.BpmnProcesses.Messages;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.registry.ApprovalKind;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.events.AgentOwnerChanged;
import io.warden.registry.events.ApprovalDecided;
import io.warden.registry.events.ApprovalRequested;
import java.util.Map;
import org.springframework.modulith.events.ApplicationModuleListener;

/**
 * Registry events that start processes or deliver decisions. Delivered through the event publication
 * registry after the registry's transaction commits, and again after a restart if they failed: starts
 * are idempotent and messages are correlated by agent, so a repeat does no harm. Not final: the listeners
 * are proxied (asynchronous, transactional).
 */
public class WorkflowTriggers {

    private final WorkflowEngine engine;

    public WorkflowTriggers(WorkflowEngine engine) {
        this.engine = engine;
    }

    @ApplicationModuleListener
    void on(ApprovalRequested event) {
        if (event.kind() == ApprovalKind.REGISTRATION) {
            engine.start(BpmnProcesses.ONBOARDING, event.agentId().toString(),
                    Map.of("approvalId", event.approvalId().toString(), "requiresCompliance", event.requiresCompliance()));
        }
    }

    @ApplicationModuleListener
    void on(ApprovalDecided event) {
        // Warden's own rejections come from the onboarding process itself: nothing waits for them
        if (event.kind() != ApprovalKind.REGISTRATION || event.actorId().startsWith("system:")) {
            return;
        }
        String message = event.decision() == ApprovalStatus.APPROVED ? Messages.AGENT_APPROVED : Messages.AGENT_REJECTED;
        engine.correlate(message, event.agentId().toString(), Map.of("decidedBy", event.actorId(), "decision", event.decision().name()));
    }

    @ApplicationModuleListener
    void on(AgentOwnerChanged event) {
        if (engine.running(BpmnProcesses.ORPHANED, event.agentId().toString())) {
            engine.correlate(Messages.OWNER_REASSIGNED, event.agentId().toString(), Map.of("newOwnerId", event.newOwnerId()));
        }
    }
}
