package io.warden.app;

import io.warden.lifecycle.AgentLifecycle;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.events.KillSwitchEngaged;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * An agent's kill switch opens an incident for it (suspension, identity disabled, security operations
 * decide). Delivered through the event publication registry, so a restart does not lose it; opening an
 * incident twice is a no-op.
 */
@Component
class KillSwitchIncidents {

    private static final Logger log = LoggerFactory.getLogger(KillSwitchIncidents.class);

    private final AgentQueries agents;
    private final AgentLifecycle lifecycle;

    KillSwitchIncidents(AgentQueries agents, AgentLifecycle lifecycle) {
        this.agents = agents;
        this.lifecycle = lifecycle;
    }

    @Async
    @TransactionalEventListener
    void on(KillSwitchEngaged event) {
        if (event.scope() != KillSwitchScope.AGENT) {
            return;
        }
        // the target is the agent's id (resolved when engaged); a switch stored before that names a client id
        Optional<AgentView> stopped;
        try {
            stopped = agents.findAgent(AgentId.of(event.target()));
        } catch (IllegalArgumentException notAnId) {
            stopped = agents.findAgentByClientId(event.target());
        }
        stopped.ifPresentOrElse(
                agent -> lifecycle.raiseIncident(agent.id(), "Kill switch: " + event.reason(), event.actorId()),
                () -> log.warn("Kill switch on {}, which is no registered agent: no incident opened", event.target()));
    }
}
