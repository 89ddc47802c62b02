package io.warden.registry;

/**
 * The roles people hold in Warden. In tokens they arrive in the {@code roles} claim (Entra app roles or
 * the embedded provider's equivalent); agents hold none of them.
 */
public enum Role {
    /** Registers agents, manages data scopes and tools, suspends, reinstates and retires agents. */
    ADMIN,
    /** Accountable for agents: registers them and requests scope changes for the agents they own. */
    OWNER,
    /** Approves agents and changes that touch PHI or highly confidential data; reads the audit trail. */
    COMPLIANCE,
    /** Security operations: sees every agent and suspends risky ones. */
    SECOPS
}
