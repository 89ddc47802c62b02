package io.warden.portal.internal;

import io.warden.registry.Actor;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The agent map: owners → agents → tools and datasets, so that a CISO sees at a glance which agents touch
 * PHI. The page draws it with ECharts from {@code /portal/map/graph}; the same facts are listed in a table
 * for people who do not use the picture (nothing is told by colour alone).
 */
@Controller
@RequestMapping("/portal/map")
class AgentMapController {

    /** A node of the map: its kind (owner, agent, tool, dataset), label, and what it says beyond colour. */
    record Node(String id, String kind, String label, String status) {}

    record Link(String source, String target) {}

    record Graph(List<Node> nodes, List<Link> links) {}

    private final AgentQueries agentQueries;
    private final CatalogQueries catalog;
    private final Directory directory;

    AgentMapController(AgentQueries agentQueries, CatalogQueries catalog, Directory directory) {
        this.directory = directory;
        this.agentQueries = agentQueries;
        this.catalog = catalog;
    }

    @GetMapping
    String map(Actor actor, Model model) {
        Map<String, DataScopeView> scopes = scopes();
        List<Map<String, Object>> phi = new ArrayList<>();
        for (AgentView agent : liveAgents()) {
            List<String> touched = agent.dataScopes().stream()
                    .filter(key -> scopes.containsKey(key) && scopes.get(key).phi())
                    .toList();
            if (!touched.isEmpty()) {
                phi.add(Map.of(
                        "agent",
                        agent.name(),
                        "status",
                        agent.status().name(),
                        "owner",
                        agent.ownerId(),
                        "datasets",
                        touched));
            }
        }
        model.addAttribute("actor", actor);
        model.addAttribute("phiAgents", phi);
        return "portal/map";
    }

    @GetMapping(path = "/graph", produces = "application/json")
    @ResponseBody
    Graph graph() {
        Map<String, DataScopeView> scopes = scopes();
        Map<String, Node> nodes = new LinkedHashMap<>();
        List<Link> links = new ArrayList<>();
        List<AgentView> live = liveAgents();
        // one directory request for every owner on the map: people know each other by name, not by object id
        Map<String, DirectoryUser> owners = directory.findUsers(
                new TreeSet<>(live.stream().map(AgentView::ownerId).toList()));
        for (AgentView agent : live) {
            String agentNode = "agent:" + agent.id();
            DirectoryUser owner = owners.get(agent.ownerId());
            nodes.putIfAbsent(
                    "owner:" + agent.ownerId(),
                    new Node(
                            "owner:" + agent.ownerId(),
                            "owner",
                            owner == null ? agent.ownerId() : owner.displayName(),
                            owner == null ? "" : owner.active() ? "" : "left the organisation"));
            nodes.put(
                    agentNode,
                    new Node(agentNode, "agent", agent.name(), agent.status().name()));
            links.add(new Link("owner:" + agent.ownerId(), agentNode));
            for (String tool : agent.tools()) {
                nodes.putIfAbsent("tool:" + tool, new Node("tool:" + tool, "tool", tool, ""));
                links.add(new Link(agentNode, "tool:" + tool));
            }
            for (String key : agent.dataScopes()) {
                DataScopeView scope = scopes.get(key);
                String label = scope == null ? key : scope.sensitivity() + (scope.phi() ? ", PHI" : "");
                nodes.putIfAbsent(
                        "dataset:" + key,
                        new Node(
                                "dataset:" + key,
                                scope != null && scope.phi() ? "dataset-phi" : "dataset",
                                scope == null ? key : scope.displayName(),
                                label));
                links.add(new Link(agentNode, "dataset:" + key));
            }
        }
        return new Graph(List.copyOf(nodes.values()), links);
    }

    private List<AgentView> liveAgents() {
        List<AgentView> agents = new ArrayList<>();
        for (int page = 0; ; page++) {
            var found = agentQueries.search(AgentFilter.any(), page, 100);
            found.items().stream()
                    .filter(agent -> agent.status() != AgentStatus.RETIRED)
                    .forEach(agents::add);
            if ((long) (page + 1) * 100 >= found.total() || page >= 99) {
                return agents;
            }
        }
    }

    private Map<String, DataScopeView> scopes() {
        Map<String, DataScopeView> byKey = new LinkedHashMap<>();
        catalog.dataScopes().forEach(scope -> byKey.put(scope.key(), scope));
        return byKey;
    }
}
