package io.warden.registry.internal;

import io.warden.audit.AuditNames;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The names an audit export writes beside its records: people from the directory, agents from the registry (the
 * gateway records an agent by its OAuth2 client id, the registry's own records by its agent id).
 */
@Component
class RegistryAuditNames implements AuditNames {

    private final Directory directory;
    private final AgentQueries agents;

    RegistryAuditNames(Directory directory, AgentQueries agents) {
        this.directory = directory;
        this.agents = agents;
    }

    @Override
    public @Nullable String person(String id) {
        return directory.findUser(id).map(DirectoryUser::displayName).orElse(null);
    }

    @Override
    public @Nullable String agent(String id) {
        Optional<AgentView> agent = agents.findAgentByClientId(id);
        if (agent.isEmpty()) {
            try {
                agent = agents.findAgent(AgentId.of(id));
            } catch (IllegalArgumentException notAnAgentId) {
                return null;
            }
        }
        return agent.map(AgentView::name).orElse(null);
    }
}
