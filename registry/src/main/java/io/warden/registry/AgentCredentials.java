package io.warden.registry;

import java.util.List;
import java.util.UUID;

/**
 * People's and agents' use cases on an agent's credentials. The agent itself and its owner may list its
 * credentials and register a certificate; its owner, an ADMIN or SECOPS may remove one; ADMIN, SECOPS and
 * COMPLIANCE may list any agent's. Every change is audited. Secrets are never part of an answer.
 */
public interface AgentCredentials {

    List<AgentCredential> list(AgentId agent, Actor actor);

    /**
     * Registers an X.509 certificate (PEM) for private_key_jwt client authentication.
     *
     * @throws RegistryException.InvalidField ({@code certificate}) for text that is not one valid, current
     *         RSA (2048+) certificate
     */
    AgentCredential addCertificate(AgentId agent, String certificatePem, Actor actor);

    /** Revokes a credential at once. */
    void remove(AgentId agent, UUID credentialId, Actor actor);
}
