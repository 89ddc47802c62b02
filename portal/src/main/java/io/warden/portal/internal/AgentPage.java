package io.warden.portal.internal;

import io.warden.audit.AuditAnalytics;
import io.warden.audit.AuditQuery;
import io.warden.audit.AuditTrail;
import io.warden.lifecycle.AgentLifecycle;
import io.warden.policy.KillSwitch;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.KillSwitches;
import io.warden.policy.RateLimits;
import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.ui.Model;

/**
 * The agent page's model: the agent, its people by name, its activity, quota and status timeline, and the
 * actions the signed-in person may take on it now. The offers follow the API's role rules and the states the
 * services accept, so a button is never shown for what the service would refuse by role; the services still
 * decide (an owner acts only on their own agents), and their refusals come back to the same page.
 */
@Component
class AgentPage {

    /** Which actions the page offers the signed-in person on this agent in its present state. */
    record Offers(
            boolean suspend,
            boolean reinstate,
            boolean retire,
            boolean reassign,
            boolean requestChange,
            boolean attest,
            boolean keep,
            boolean raiseIncident,
            boolean resolveIncident,
            boolean killSwitch,
            boolean rateLimits) {

        /** Whether the page shows the form of this action (a refusal of one it does not show goes above them). */
        public boolean offers(String action) {
            return switch (action) {
                case "suspend" -> suspend;
                case "reinstate" -> reinstate;
                case "retire" -> retire;
                case "owner" -> reassign;
                case "change" -> requestChange;
                case "attest" -> attest;
                case "keep" -> keep;
                case "incident" -> raiseIncident;
                case "resolve" -> resolveIncident;
                case "kill" -> killSwitch;
                default -> action.startsWith("limit-") && rateLimits;
            };
        }

        public boolean any() {
            return suspend
                    || reinstate
                    || retire
                    || reassign
                    || requestChange
                    || attest
                    || keep
                    || raiseIncident
                    || resolveIncident
                    || killSwitch
                    || rateLimits;
        }
    }

    /**
     * A refused action, shown in its own form: which form, the field at fault (as the API's problem names it),
     * the message, and what the person had typed so they need not type it again.
     */
    record Failure(String action, @Nullable String field, String message, Map<String, String> values) {}

    private final AgentQueries agentQueries;
    private final CatalogQueries catalog;
    private final AuditTrail audit;
    private final AgentLifecycle workflows;
    private final AuditAnalytics analytics;
    private final Clock clock;
    private final RateLimits rateLimits;
    private final KillSwitches killSwitches;
    private final Directory directory;

    AgentPage(
            AgentQueries agentQueries,
            CatalogQueries catalog,
            AuditTrail audit,
            AgentLifecycle workflows,
            AuditAnalytics analytics,
            Clock clock,
            RateLimits rateLimits,
            KillSwitches killSwitches,
            Directory directory) {
        this.agentQueries = agentQueries;
        this.catalog = catalog;
        this.audit = audit;
        this.workflows = workflows;
        this.analytics = analytics;
        this.clock = clock;
        this.rateLimits = rateLimits;
        this.killSwitches = killSwitches;
        this.directory = directory;
    }

    static AgentId agentId(String id) {
        try {
            return AgentId.of(id);
        } catch (IllegalArgumentException e) {
            throw new RegistryException.NotFound("agent", id);
        }
    }

    /** Fills the model for the agent page and names its template. */
    String render(AgentId agentId, Actor actor, Model model) {
        var agent = agentQueries.get(agentId);
        var timeline = audit.search(new AuditQuery(
                agentId.toString(), null, null, null, null, "agent.status_changed", null, null, null, null, null, 50));
        List<String> processes = workflows.runningProcesses(agentId);
        model.addAttribute("actor", actor);
        model.addAttribute("agent", agent);
        model.addAttribute("processes", processes);
        // the gateway records the agent by its client id
        String caller = agent.clientId() == null ? agentId.toString() : agent.clientId();
        model.addAttribute(
                "activity",
                analytics.activity(clock.instant().minus(Duration.ofHours(24)), Duration.ofHours(1), caller));
        // the quota, by the API's rule: oversight roles and the agent's own owner
        boolean mayReadQuota = actor.has(Role.ADMIN)
                || actor.has(Role.SECOPS)
                || actor.has(Role.COMPLIANCE)
                || agent.ownerId().equals(actor.id());
        Map<String, String> toolNames = new HashMap<>();
        catalog.tools().forEach(tool -> toolNames.put(tool.key(), tool.displayName()));
        Map<String, String> scopeNames = new HashMap<>();
        catalog.dataScopes().forEach(scope -> scopeNames.put(scope.key(), scope.displayName()));
        model.addAttribute("toolNames", toolNames);
        model.addAttribute("scopeNames", scopeNames);
        model.addAttribute("quota", mayReadQuota ? rateLimits.usage(agentId, agent.tools()) : null);

        Set<String> people = new HashSet<>();
        people.add(agent.ownerId());
        timeline.forEach(record -> people.add(record.event().actor().id()));
        List<KillSwitch> switches = killSwitches.active().stream()
                .filter(each -> each.scope() == KillSwitchScope.AGENT && covers(each, agent))
                .toList();
        switches.forEach(each -> people.add(each.engagedBy()));
        Map<String, DirectoryUser> found = directory.findUsers(people);
        Map<String, String> names = new HashMap<>();
        for (String person : people) {
            DirectoryUser user = found.get(person);
            names.put(person, user == null ? person : user.displayName());
        }
        model.addAttribute("names", names);
        DirectoryUser owner = found.get(agent.ownerId());
        model.addAttribute("ownerMail", owner == null ? null : owner.mail());
        model.addAttribute("agentSwitches", switches);
        List<Map<String, String>> steps = new ArrayList<>();
        for (var record : timeline) {
            String by = record.event().actor().id();
            steps.add(Map.of(
                    "time",
                    record.time().toString(),
                    "from",
                    record.event().details().getOrDefault("from", ""),
                    "to",
                    record.event().details().getOrDefault("to", ""),
                    "actor",
                    names.getOrDefault(by, by),
                    "actorId",
                    by));
        }
        model.addAttribute("timeline", steps);

        Offers offers = offers(actor, agent, processes);
        model.addAttribute("offers", offers);
        if (offers.requestChange()) {
            model.addAttribute("allScopes", catalog.dataScopes());
            model.addAttribute("allTools", catalog.tools());
            model.addAttribute("allPurposes", PurposeOfUse.values());
        }
        if (offers.rateLimits()) {
            Map<String, Long> versions = new HashMap<>();
            for (String tool : agent.tools()) {
                versions.put(
                        tool,
                        rateLimits.toolLimits(tool).overrides().stream()
                                .filter(each -> agentId.equals(each.agent()))
                                .mapToLong(RateLimits.Setting::version)
                                .findFirst()
                                .orElse(0L));
            }
            model.addAttribute("overrideVersions", versions);
        }
        if (!model.containsAttribute("failure")) {
            model.addAttribute("failure", null);
        }
        return "portal/agent";
    }

    private static boolean covers(KillSwitch each, AgentView agent) {
        return each.target().equals(agent.id().toString())
                || (agent.clientId() != null
                        && (agent.clientId().equals(each.target())
                                || agent.clientId().equals(each.targetClientId())));
    }

    /** The API's role rules (SecurityConfiguration) and the states each service accepts. */
    static Offers offers(Actor actor, AgentView agent, List<String> processes) {
        boolean admin = actor.has(Role.ADMIN);
        boolean secops = actor.has(Role.SECOPS);
        boolean owns = admin || (actor.has(Role.OWNER) && agent.ownerId().equals(actor.id()));
        AgentStatus status = agent.status();
        boolean live = status != AgentStatus.RETIRED;
        boolean incident = processes.contains("agent-incident");
        return new Offers(
                (admin || secops) && status == AgentStatus.ACTIVE,
                admin && status == AgentStatus.SUSPENDED,
                owns && live,
                admin && live,
                owns && (status == AgentStatus.ACTIVE || status == AgentStatus.SUSPENDED),
                owns && processes.contains("agent-recertification"),
                owns && processes.contains("agent-retirement"),
                (admin || secops) && live && !incident,
                (admin || secops) && incident,
                (admin || secops) && live,
                admin && live && !agent.tools().isEmpty());
    }
}
