package io.warden.portal.internal;

import io.warden.collections.GovernedCollections;
import io.warden.collections.GovernedCollections.Evaluation;
import io.warden.collections.GovernedCollections.Summary;
import io.warden.lifecycle.LifecycleRule;
import io.warden.lifecycle.LifecycleRuleBook;
import io.warden.registry.Actor;
import io.warden.registry.AgentQueries;
import io.warden.registry.CatalogQueries;
import io.warden.registry.CatalogUsage;
import io.warden.registry.DataScopeView;
import io.warden.registry.DataSourceView;
import io.warden.registry.DataSources;
import io.warden.registry.McpServerView;
import io.warden.registry.McpServers;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.server.ResponseStatusException;

/**
 * The catalogue in one place: data scopes, tools and their backends, MCP servers, data sources, collections and their
 * evaluations, lifecycle rules, each with the agents that use it, by name. Everyone signed in reads scopes, tools and
 * rules (as {@code GET /api/v1/data-scopes} and {@code /tools}); where a tool's calls go, the MCP servers and the data
 * sources are admins' alone (their URLs and secret names map the hospital's integrations, as in the API), and the
 * collections are for those who may read them in the API (admins, compliance, security operations). Read-only: the
 * changes stay on the pages and API that audit them.
 */
@Controller
@RequestMapping("/portal/catalog")
class CatalogPagesController {

    /** The agents a detail page names; beyond them it says how many more there are. */
    static final int AGENTS_SHOWN = 100;

    private final CatalogQueries catalog;
    private final CatalogUsage usage;
    private final McpServers servers;
    private final DataSources sources;
    private final GovernedCollections collections;
    private final LifecycleRuleBook rules;
    private final AgentQueries agents;
    private final Clock clock;

    CatalogPagesController(
            CatalogQueries catalog,
            CatalogUsage usage,
            McpServers servers,
            DataSources sources,
            GovernedCollections collections,
            LifecycleRuleBook rules,
            AgentQueries agents,
            Clock clock) {
        this.catalog = catalog;
        this.usage = usage;
        this.servers = servers;
        this.sources = sources;
        this.collections = collections;
        this.rules = rules;
        this.agents = agents;
        this.clock = clock;
    }

    /** A collection with its newest evaluation of any version; null when it has none. */
    record CollectionLine(Summary collection, @Nullable Evaluation latest) {}

    /** A lifecycle rule and how many agents it concerns now; null where that is every live agent. */
    record RuleLine(LifecycleRule rule, @Nullable Integer concerns) {}

    @GetMapping
    String overview(Actor actor, Model model) {
        boolean admin = actor.has(Role.ADMIN);
        boolean oversight = admin || actor.has(Role.COMPLIANCE) || actor.has(Role.SECOPS);
        List<DataScopeView> scopes = catalog.dataScopes();
        model.addAttribute("actor", actor);
        model.addAttribute("admin", admin);
        model.addAttribute("oversight", oversight);
        model.addAttribute("scopes", scopes);
        model.addAttribute("scopeNames", scopeNames(scopes));
        model.addAttribute("tools", catalog.tools());
        model.addAttribute("perScope", usage.agentsPerScope());
        model.addAttribute("perTool", usage.agentsPerTool());
        model.addAttribute("servers", admin ? servers.list() : List.of());
        model.addAttribute("serverNames", admin ? serverNames() : Map.of());
        model.addAttribute("sources", admin ? sources.list() : List.<DataSourceView>of());
        model.addAttribute("collections", oversight ? collectionLines() : List.of());
        model.addAttribute("rules", ruleLines());
        return "portal/catalog";
    }

    @GetMapping("/scopes/{key}")
    String scope(@PathVariable String key, Actor actor, Model model) {
        DataScopeView scope = found(() -> catalog.dataScope(key));
        boolean admin = actor.has(Role.ADMIN);
        model.addAttribute("actor", actor);
        model.addAttribute("admin", admin);
        model.addAttribute("scope", scope);
        model.addAttribute(
                "tools",
                catalog.tools().stream()
                        .filter(tool -> tool.requiredScopes().contains(key)
                                || tool.dataScopes().contains(key))
                        .toList());
        model.addAttribute(
                "sources",
                admin
                        ? sources.list().stream()
                                .filter(source -> source.scopeKey().equals(key))
                                .toList()
                        : List.of());
        model.addAttribute("usage", usage.agentsWithScope(key, AGENTS_SHOWN));
        return "portal/catalog-scope";
    }

    @GetMapping("/tools/{key}")
    String tool(@PathVariable String key, Actor actor, Model model) {
        ToolView tool = found(() -> catalog.tool(key));
        boolean admin = actor.has(Role.ADMIN);
        model.addAttribute("actor", actor);
        model.addAttribute("admin", admin);
        model.addAttribute("tool", tool);
        model.addAttribute("scopeNames", scopeNames(catalog.dataScopes()));
        model.addAttribute(
                "server",
                admin && tool.target() instanceof ToolBackend.Mcp mcp
                        ? servers.find(mcp.server()).orElse(null)
                        : null);
        model.addAttribute("usage", usage.agentsWithAnyTool(List.of(key), AGENTS_SHOWN));
        return "portal/catalog-tool";
    }

    /** Admins only (the portal's security chain, as {@code /api/v1/mcp-servers}). */
    @GetMapping("/mcp-servers/{key}")
    String server(@PathVariable String key, Actor actor, Model model) {
        McpServerView server = found(() -> servers.get(key));
        List<ToolView> backed = catalog.tools().stream()
                .filter(tool -> tool.target() instanceof ToolBackend.Mcp mcp
                        && mcp.server().equals(key))
                .toList();
        model.addAttribute("actor", actor);
        model.addAttribute("server", server);
        model.addAttribute("tools", backed);
        model.addAttribute(
                "usage",
                usage.agentsWithAnyTool(backed.stream().map(ToolView::key).toList(), AGENTS_SHOWN));
        return "portal/catalog-server";
    }

    private static <T> T found(Supplier<T> read) {
        try {
            return read.get();
        } catch (RegistryException.NotFound e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, e.getMessage());
        }
    }

    private static Map<String, String> scopeNames(List<DataScopeView> scopes) {
        Map<String, String> names = new LinkedHashMap<>();
        scopes.forEach(scope -> names.put(scope.key(), scope.displayName()));
        return names;
    }

    private Map<String, String> serverNames() {
        Map<String, String> names = new LinkedHashMap<>();
        servers.list().forEach(server -> names.put(server.key(), server.displayName()));
        return names;
    }

    private List<CollectionLine> collectionLines() {
        List<CollectionLine> lines = new ArrayList<>();
        for (Summary collection : collections.list()) {
            // the newest version's evaluations; a collection that was never built has none
            List<Evaluation> evaluations =
                    collections.overview(collection.name(), null, 1).evaluations();
            lines.add(new CollectionLine(collection, evaluations.isEmpty() ? null : evaluations.getFirst()));
        }
        return lines;
    }

    private List<RuleLine> ruleLines() {
        List<RuleLine> lines = new ArrayList<>();
        for (LifecycleRule rule : rules.rules()) {
            Integer concerns = switch (rule.kind()) {
                case DORMANT ->
                    rule.parameters().get("days") instanceof Number days
                            ? agents.dormantSince(clock.instant().minus(Duration.ofDays(days.longValue())))
                                    .size()
                            : null;
                case RECERTIFICATION_DUE ->
                    agents.recertificationDue(clock.instant()).size();
                case OWNER_INACTIVE, RISK_SIGNAL -> null;
            };
            lines.add(new RuleLine(rule, concerns));
        }
        return lines;
    }
}
