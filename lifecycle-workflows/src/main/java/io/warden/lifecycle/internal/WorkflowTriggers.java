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
import org.springframework.scheduling.annotation.Async;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Registry events that start processes or deliver decisions. Delivered through the event publication
 * registry after the registry's transaction commits, and again (with back-off, and at start) if they failed: starts
 * are idempotent and messages are correlated by agent, so a repeat does no harm. The listeners hold no
 * transaction of their own (the engine opens its own), so a burst of events cannot tie up the connection
 * pool while waiting for the engine. Not final: the listeners are proxied.
 */
class WorkflowTriggers {

    private final WorkflowEngine engine;

    public WorkflowTriggers(WorkflowEngine engine) {
        this.engine = engine;
    }

    @Async
    @TransactionalEventListener
    void on(ApprovalRequested event) {
        if (event.kind() == ApprovalKind.REGISTRATION) {
            engine.start(
                    BpmnProcesses.ONBOARDING,
                    event.agentId().toString(),
                    Map.of(
                            "approvalId",
                            event.approvalId().toString(),
                            "requiresCompliance",
                            event.requiresCompliance()));
        }
    }

    @Async
    @TransactionalEventListener
    void on(ApprovalDecided event) {
        // Warden's own rejections come from the onboarding process itself: nothing waits for them
        if (event.kind() != ApprovalKind.REGISTRATION || event.actorId().startsWith("system:")) {
            return;
        }
        String message =
                event.decision() == ApprovalStatus.APPROVED ? Messages.AGENT_APPROVED : Messages.AGENT_REJECTED;
        engine.correlate(
                message,
                event.agentId().toString(),
                Map.of(
                        "decidedBy",
                        event.actorId(),
                        "decision",
                        event.decision().name()));
    }

    @Async
    @TransactionalEventListener
    void on(AgentOwnerChanged event) {
        if (engine.running(BpmnProcesses.ORPHANED, event.agentId().toString())) {
            engine.correlate(
                    Messages.OWNER_REASSIGNED, event.agentId().toString(), Map.of("newOwnerId", event.newOwnerId()));
        }
    }
}
