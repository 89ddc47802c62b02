package io.warden.registry.internal;

import io.warden.registry.AgentId;
import io.warden.registry.AgentView;
import io.warden.registry.RegistryException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * The one path by which agents and approvals change: the aggregate is written first and the events it
 * recorded are published only after the write, so no event leaves for a change the database refused (a
 * stale version, say). The only place that publishes agent and approval events. It opens no transaction of
 * its own: it runs in the calling use case's, so the write and the publications commit together.
 */
@Component
class AgentMutations {

    private final AgentRepository agents;
    private final ApprovalRepository approvals;
    private final ApplicationEventPublisher events;

    AgentMutations(AgentRepository agents, ApprovalRepository approvals, ApplicationEventPublisher events) {
        this.agents = agents;
        this.approvals = approvals;
        this.events = events;
    }

    /** The agent, locked until the transaction ends; {@link RegistryException.NotFound} when there is none. */
    Agent loadForUpdate(AgentId id) {
        return agents.findForUpdate(id).orElseThrow(() -> new RegistryException.NotFound("agent", id));
    }

    /** Locks the agent, applies the transition and saves it. */
    AgentView mutate(AgentId id, Consumer<Agent> transition) {
        return mutateUnless(id, agent -> false, transition);
    }

    /** As {@link #mutate}; an agent already {@code done} is returned as it is and nothing is written. */
    AgentView mutateUnless(AgentId id, Predicate<Agent> done, Consumer<Agent> transition) {
        Agent agent = loadForUpdate(id);
        if (done.test(agent)) {
            return agent.view();
        }
        transition.accept(agent);
        save(agent);
        return agent.view();
    }

    /** Stores a new agent and publishes its events. */
    void insert(Agent agent) {
        agents.insert(agent);
        publish(agent.drainEvents());
    }

    /**
     * Stores a new agent, applies a first transition (which may file approvals for it, so it needs the row)
     * and saves it: the agent's events go out after the update.
     */
    void insert(Agent agent, Consumer<Agent> transition) {
        agents.insert(agent);
        transition.accept(agent);
        save(agent);
    }

    /** Writes the changed agent (optimistic locking) and then publishes its events. */
    void save(Agent agent) {
        agents.update(agent);
        publish(agent.drainEvents());
    }

    /** Stores a new approval and publishes its events. */
    void insert(Approval approval) {
        approvals.insert(approval);
        publish(approval.drainEvents());
    }

    /** Writes the changed approval (optimistic locking) and then publishes its events. */
    void save(Approval approval) {
        approvals.update(approval);
        publish(approval.drainEvents());
    }

    private void publish(List<?> recorded) {
        recorded.forEach(events::publishEvent);
    }
}
