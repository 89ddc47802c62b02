package io.warden.app.security;

import io.warden.registry.AgentView;
import io.warden.registry.IdentityProvisioner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With an external identity provider and no provisioning adapter for it, agents' identities are created
 * by the provider's administrators and registered with the agent (its client id). Provisioning checks that
 * one is there; disabling, enabling and removing are the administrators' to do, so each is logged as a
 * warning for them (the gateway's kill switch stops the agent in Warden meanwhile).
 */
final class PreRegisteredIdentities implements IdentityProvisioner {

    private static final Logger log = LoggerFactory.getLogger(PreRegisteredIdentities.class);

    @Override
    public String provision(AgentView agent) {
        if (agent.clientId() == null) {
            throw new IllegalStateException(
                    "Agent " + agent.id() + " has no identity: with an external identity provider, its"
                            + " administrators create the application and an ADMIN records its client id with the agent");
        }
        return agent.clientId();
    }

    @Override
    public void disable(AgentView agent) {
        log.warn("Disable the identity {} of agent {} in the identity provider", agent.clientId(), agent.id());
    }

    @Override
    public void enable(AgentView agent) {
        log.warn("Enable the identity {} of agent {} in the identity provider again", agent.clientId(), agent.id());
    }

    @Override
    public void remove(AgentView agent) {
        log.warn("Delete the identity {} of agent {} in the identity provider", agent.clientId(), agent.id());
    }
}
