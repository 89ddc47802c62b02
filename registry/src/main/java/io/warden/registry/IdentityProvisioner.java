package io.warden.registry;

/**
 * Port to where agents' identities live: Warden's embedded OpenID provider by default (a client-credentials
 * client per agent), Entra ID in production (an application and its service principal). Onboarding
 * provisions; whenever an agent is retired, suspended or reinstated, by any path, a listener on its status
 * change removes, disables or enables the identity (and the incident and retirement processes disable and
 * enable it themselves too). Every operation is idempotent, and removing an identity that is already gone
 * succeeds: deliveries are repeated. The credential issued on provisioning is never returned or logged: it
 * goes to the configured secret store.
 */
public interface IdentityProvisioner {

    /** Creates the agent's identity, or finds the one created before; returns its client id. */
    String provision(AgentView agent);

    /** Stops the identity from obtaining tokens (suspension, kill switch, incident). */
    void disable(AgentView agent);

    /** Lets a disabled identity obtain tokens again (reinstatement). */
    void enable(AgentView agent);

    /** Removes the identity's credentials and the identity itself (retirement). */
    void remove(AgentView agent);
}
