package io.warden.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Read access to registered agents for other modules. Thread-safe; every call reads committed state. */
public interface AgentQueries {

    /** The agent; {@link RegistryException.NotFound} when there is none. */
    AgentView get(AgentId id);

    /** Agents matching the filter, newest first; {@code size} is capped by configuration. */
    Page<AgentView> search(AgentFilter filter, @Nullable Integer page, @Nullable Integer size);

    Optional<AgentView> findAgent(AgentId id);

    /** The agent whose identity uses this OAuth2 client id, if any. */
    Optional<AgentView> findAgentByClientId(String clientId);

    /** ACTIVE agents not used since {@code before} (never used: approved before it), for the dormancy rule. */
    List<AgentId> dormantSince(Instant before);

    /** ACTIVE agents whose recertification fell due by {@code by}. */
    List<AgentId> recertificationDue(Instant by);

    /** Every agent that is not RETIRED, with its owner's directory id, for the orphaned-owner rule. */
    Map<AgentId, String> ownersOfLiveAgents();
}
