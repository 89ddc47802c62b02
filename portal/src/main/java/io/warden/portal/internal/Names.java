package io.warden.portal.internal;

import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.ToolView;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * People and agents by name for one rendered page: {@code ${names.person(id)}}, {@code ${names.mail(id)}},
 * {@code ${names.agent(idOrClientId)}}, {@code ${names.tool(key)}}, {@code ${names.scope(key)}}. Each id is looked up
 * once per page, however often the page names it; the catalogue's titles are read once, on the first tool or scope.
 *
 * <p>A page is never refused because a name could not be found: an id the directory or registry does not know (a
 * deleted person, an unreachable Graph tenant, a tool removed since) is shown as it is, which is also what the audit
 * trail holds. Not
 * thread-safe; one instance serves one request.
 */
final class Names {

    private final Directory directory;
    private final AgentQueries agents;
    private final Map<String, Optional<DirectoryUser>> people = new HashMap<>();
    private final Map<String, Optional<AgentView>> agentsSeen = new HashMap<>();
    private final CatalogQueries catalog;
    private @Nullable Map<String, String> toolTitles;
    private @Nullable Map<String, String> scopeTitles;

    Names(Directory directory, AgentQueries agents, CatalogQueries catalog) {
        this.directory = directory;
        this.agents = agents;
        this.catalog = catalog;
    }

    /** The person's display name; a Warden component as "Warden (component)"; an unknown id as itself. */
    public String person(@Nullable String id) {
        if (id == null || id.isBlank()) {
            return "—";
        }
        if (id.startsWith("system:")) {
            return "Warden (" + id.substring("system:".length()) + ")";
        }
        return lookUp(id).map(DirectoryUser::displayName).orElse(id);
    }

    /** The person's e-mail address, or null when the directory has none. */
    @Nullable
    public String mail(@Nullable String id) {
        if (id == null || id.isBlank() || id.startsWith("system:")) {
            return null;
        }
        return lookUp(id).map(DirectoryUser::mail).orElse(null);
    }

    /** The agent's name, from its id or its OAuth2 client id; an unknown one as itself. */
    public String agent(@Nullable Object idOrClientId) {
        if (idOrClientId == null) {
            return "—";
        }
        String key = idOrClientId.toString();
        return agentView(key).map(AgentView::name).orElse(key);
    }

    /** The agent's registry id (for a link to its page), or null when no agent has this id or client id. */
    @Nullable
    public String agentId(@Nullable Object idOrClientId) {
        return idOrClientId == null
                ? null
                : agentView(idOrClientId.toString())
                        .map(view -> view.id().toString())
                        .orElse(null);
    }

    private Optional<DirectoryUser> lookUp(String id) {
        return people.computeIfAbsent(id, key -> {
            try {
                return directory.findUser(key);
            } catch (RuntimeException unreachable) {
                // a label, not a decision: the id stands in for the name until the directory answers again
                return Optional.empty();
            }
        });
    }

    private Optional<AgentView> agentView(String key) {
        return agentsSeen.computeIfAbsent(key, k -> {
            try {
                return agents.findAgent(AgentId.of(k)).or(() -> agents.findAgentByClientId(k));
            } catch (IllegalArgumentException notAUuid) {
                return agents.findAgentByClientId(k);
            }
        });
    }

    /** The tool's title from the catalogue; a key the catalogue no longer has as itself. */
    public String tool(@Nullable String key) {
        if (key == null || key.isBlank()) {
            return "—";
        }
        Map<String, String> titles = toolTitles;
        if (titles == null) {
            titles = new HashMap<>();
            for (ToolView tool : catalog.tools()) {
                titles.put(tool.key(), tool.displayName());
            }
            toolTitles = titles;
        }
        return titles.getOrDefault(key, key);
    }

    /** The data scope's title from the catalogue; a key the catalogue no longer has as itself. */
    public String scope(@Nullable String key) {
        if (key == null || key.isBlank()) {
            return "—";
        }
        Map<String, String> titles = scopeTitles;
        if (titles == null) {
            titles = new HashMap<>();
            for (DataScopeView scope : catalog.dataScopes()) {
                titles.put(scope.key(), scope.displayName());
            }
            scopeTitles = titles;
        }
        return titles.getOrDefault(key, key);
    }

    /** The titles of these data scopes, in the order given, joined with commas (none: "none"). */
    public String scopes(@Nullable Iterable<String> keys) {
        if (keys == null) {
            return "none";
        }
        StringBuilder joined = new StringBuilder();
        for (String key : keys) {
            joined.append(joined.isEmpty() ? "" : ", ").append(scope(key));
        }
        return joined.isEmpty() ? "none" : joined.toString();
    }
}
