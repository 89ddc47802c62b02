package io.warden.registry;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Which agents use the catalogue: the live (not RETIRED) agents granted a data scope or a tool. Read-only, for the
 * portal's catalogue pages; each call is one query over committed state, whatever the number of agents. Thread-safe.
 */
public interface CatalogUsage {

    /** An agent as a catalogue page names it: by its name, linked by its id. */
    record AgentRef(AgentId id, String name, AgentStatus status) {}

    /**
     * The first agents using something, by name, and how many there are in all.
     *
     * @param agents at most the limit asked for, ordered by name
     * @param total  every live agent using it
     */
    record Usage(List<AgentRef> agents, long total) {

        public Usage {
            agents = List.copyOf(agents);
        }
    }

    /** Data scope key → the number of live agents granted it; scopes no live agent holds are absent. */
    Map<String, Long> agentsPerScope();

    /** Tool key → the number of live agents granted it; tools no live agent holds are absent. */
    Map<String, Long> agentsPerTool();

    /** The live agents granted the data scope; {@code limit} between 1 and 1,000. */
    Usage agentsWithScope(String scopeKey, int limit);

    /** The live agents granted any of the tools (say, every tool an MCP server backs); {@code limit} 1 to 1,000. */
    Usage agentsWithAnyTool(Collection<String> toolKeys, int limit);
}
