package io.warden.registry;

import java.util.Optional;

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

    /**
     * Issues a new credential for the agent's identity ahead of the current one's expiry, puts it in the
     * secret store and records it in the {@link CredentialLedger}; the current one keeps working until
     * {@link #revoke} is called after the overlap. A disabled identity stays disabled. Empty where this
     * provider does not rotate credentials (the rotation then leaves it to expire, and its owner is told).
     */
    default Optional<AgentCredential> rotate(AgentView agent) {
        return Optional.empty();
    }

    /** Revokes, at the provider, a credential that a rotation replaced; revoking one already gone succeeds. */
    default void revoke(AgentView agent, AgentCredential credential) {}
}
