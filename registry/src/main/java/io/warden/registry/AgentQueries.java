package io.warden.registry;

import java.util.Optional;

/** Read access to registered agents for other modules. Thread-safe; every call reads committed state. */
public interface AgentQueries {

    Optional<AgentView> findAgent(AgentId id);

    /** The agent whose identity uses this OAuth2 client id, if any. */
    Optional<AgentView> findAgentByClientId(String clientId);
}
