package io.warden.lifecycle;

import io.swagger.v3.oas.annotations.media.Schema;
import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import java.util.List;

/**
 * What people and other modules do to running lifecycle processes: raise and resolve incidents, attest an
 * agent under recertification, keep a dormant agent. Each becomes a process start or a message.
 */
public interface AgentLifecycle {

    /** How security operations close an incident. */
    @Schema(name = "IncidentResolution")
    enum Resolution {
        REINSTATE,
        RETIRE
    }

    /**
     * Starts the incident process for the agent (suspend, disable the identity, wait for a resolution).
     *
     * @return false when an incident is open for it already
     */
    boolean raiseIncident(AgentId agentId, String reason, String actorId);

    /** Resolves the agent's open incident. @throws WorkflowRefused (a conflict) when none is open */
    void resolveIncident(AgentId agentId, Resolution resolution, String reason, Actor actor);

    /** The owner attests the agent is still needed. @throws WorkflowRefused (a conflict) when no recertification is open */
    void attest(AgentId agentId, Actor actor);

    /** The lifecycle processes running for the agent now (e.g. {@code agent-onboarding}). */
    List<String> runningProcesses(AgentId agentId);

    /** The owner keeps a dormant agent. @throws WorkflowRefused (a conflict) when no retirement is pending */
    void keep(AgentId agentId, Actor actor);
}
