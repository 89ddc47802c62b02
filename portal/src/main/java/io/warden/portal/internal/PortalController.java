package io.warden.portal.internal;

import io.warden.audit.AuditQuery;
import io.warden.audit.AuditTrail;
import io.warden.lifecycle.LifecycleRuleBook;
import io.warden.policy.KillSwitches;
import io.warden.registry.Actor;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.ApprovalQueries;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.CredentialLedger;
import io.warden.registry.CredentialPolicy;
import io.warden.registry.Directory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The portal's pages, server-rendered. They read through the same services as the API, as the signed-in
 * person (an {@link Actor} like the API's), so the same rules apply.
 */
@Controller
@RequestMapping("/portal")
class PortalController {

    private final ApprovalQueries approvals;
    private final KillSwitches killSwitches;
    private final AgentQueries agents;
    private final Directory directory;
    private final AuditTrail audit;
    private final Clock clock;
    private final LifecycleRuleBook rules;
    private final CredentialLedger credentials;
    private final CredentialPolicy credentialPolicy;

    PortalController(
            ApprovalQueries approvals,
            KillSwitches killSwitches,
            AgentQueries agents,
            Directory directory,
            AuditTrail audit,
            Clock clock,
            LifecycleRuleBook rules,
            CredentialLedger credentials,
            CredentialPolicy credentialPolicy) {
        this.rules = rules;
        this.credentials = credentials;
        this.credentialPolicy = credentialPolicy;
        this.approvals = approvals;
        this.killSwitches = killSwitches;
        this.agents = agents;
        this.directory = directory;
        this.audit = audit;
        this.clock = clock;
    }

    /** Agents by status, what waits for approval, and which kill switches are engaged. */
    @GetMapping
    String dashboard(Actor actor, Model model) {
        Map<AgentStatus, Long> byStatus = new LinkedHashMap<>();
        for (AgentStatus status : AgentStatus.values()) {
            byStatus.put(
                    status,
                    agents.search(new AgentFilter(status, null, null, null, null), 0, 1)
                            .total());
        }
        Map<AgentKind, Long> byKind = new LinkedHashMap<>();
        for (AgentKind kind : AgentKind.values()) {
            byKind.put(
                    kind,
                    agents.search(new AgentFilter(null, kind, null, null, null), 0, 1)
                            .total());
        }
        var pending = approvals.approvals(ApprovalStatus.PENDING, null, 0, 10);
        model.addAttribute("actor", actor);
        model.addAttribute("byStatus", byStatus);
        model.addAttribute("byKind", byKind);
        model.addAttribute("pending", pending);
        model.addAttribute("killSwitches", killSwitches.active());
        Instant now = clock.instant();
        model.addAttribute(
                "recertificationSoon",
                agents.recertificationDue(now.plus(Duration.ofDays(30))).size());
        // dormant within the next 14 days: unused for the dormancy rule's days less 14
        long dormancyDays = ((Number) rules.rule("dormancy").parameters().getOrDefault("days", 90)).longValue();
        model.addAttribute(
                "dormantSoon",
                agents.dormantSince(now.minus(Duration.ofDays(Math.max(0, dormancyDays - 14))))
                        .size());
        var owners = agents.ownersOfLiveAgents();
        var people = directory.findUsers(new TreeSet<>(owners.values()));
        model.addAttribute(
                "orphaned",
                owners.values().stream()
                        .filter(owner ->
                                people.get(owner) == null || !people.get(owner).active())
                        .count());
        model.addAttribute(
                "denials",
                audit.search(new AuditQuery(
                        null, null, null, null, null, "gateway.decision", "DENY", null, null, null, null, 10)));
        // by agent and owner name: the people reading the dashboard know agents by name, not by id
        model.addAttribute(
                "expiringCredentials", credentials.expiringBefore(now.plus(credentialPolicy.expiryNotice())));
        model.addAttribute("expiryNoticeDays", credentialPolicy.expiryNotice().toDays());
        return "portal/dashboard";
    }

    /** The agent inventory: free text, status and kind filters, paged. */
    @GetMapping("/agents")
    String agents(
            Actor actor,
            @RequestParam(required = false) @Nullable String q,
            @RequestParam(required = false) @Nullable AgentStatus status,
            @RequestParam(required = false) @Nullable AgentKind kind,
            @RequestParam(required = false) AgentFilter.@Nullable Sort sort,
            @RequestParam(defaultValue = "0") int page,
            Model model) {
        String text = q == null || q.isBlank() ? null : q.strip();
        model.addAttribute("actor", actor);
        model.addAttribute(
                "agents", agents.search(new AgentFilter(status, kind, null, null, text, sort), Math.max(0, page), 25));
        model.addAttribute("sort", sort);
        // the order the repository applies when none is asked for, so its column header says it sorts
        model.addAttribute("current", sort == null ? AgentFilter.Sort.NEWEST : sort);
        model.addAttribute("sorts", AgentFilter.Sort.values());
        model.addAttribute("q", text == null ? "" : text);
        model.addAttribute("status", status);
        model.addAttribute("kind", kind);
        model.addAttribute("statuses", AgentStatus.values());
        model.addAttribute("kinds", AgentKind.values());
        return "portal/agents";
    }

    @RequestMapping("/forbidden") // the access-denied page is forwarded to, whatever the method
    String forbidden() {
        return "portal/forbidden";
    }
}
