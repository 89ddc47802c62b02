package io.warden.portal.internal;

import io.warden.policy.KillSwitchRefused;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.KillSwitches;
import io.warden.policy.SelfTest;
import io.warden.registry.Actor;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import io.warden.registry.ApprovalId;
import io.warden.registry.ApprovalQueries;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.ApprovalView;
import io.warden.registry.Approvals;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Directory;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The governance actions: deciding approvals and pulling or releasing kill switches. They call the same
 * services as the API, as the signed-in person; the services' rules (segregation of duties, PHI needs a
 * compliance officer, two people release a global switch) apply and their refusals are shown on the page.
 * The approvals inbox also says beforehand why the person may not decide an approval.
 */
@Controller
@RequestMapping("/portal")
class GovernanceController {

    /** An approval as the inbox shows it: with the agent's name and whether this person may decide it, or why not. */
    record Row(
            ApprovalView approval,
            String agentName,
            String ownerId,
            @Nullable String cannotDecide) {}

    private final Approvals approvals;
    private final ApprovalQueries approvalQueries;
    private final AgentQueries agents;
    private final KillSwitches killSwitches;
    private final SelfTest selfTest;
    private final CatalogQueries catalog;

    /** The agents a kill switch's search shows: a handful, by name. */
    static final int AGENTS_SHOWN = 10;

    GovernanceController(
            Approvals approvals,
            ApprovalQueries approvalQueries,
            AgentQueries agents,
            KillSwitches killSwitches,
            SelfTest selfTest,
            CatalogQueries catalog) {
        this.selfTest = selfTest;
        this.catalog = catalog;
        this.approvals = approvals;
        this.approvalQueries = approvalQueries;
        this.agents = agents;
        this.killSwitches = killSwitches;
    }

    @GetMapping("/approvals")
    String approvals(Actor actor, Model model) {
        List<Row> rows = new ArrayList<>();
        for (ApprovalView approval :
                approvalQueries.approvals(ApprovalStatus.PENDING, null, 0, 100).items()) {
            var agent = agents.get(approval.agentId());
            rows.add(new Row(approval, agent.name(), agent.ownerId(), cannotDecide(actor, approval, agent.ownerId())));
        }
        model.addAttribute("actor", actor);
        model.addAttribute("rows", rows);
        return "portal/approvals";
    }

    /** The registry's rules, said before the person tries: the API and the portal enforce the same ones. */
    static @Nullable String cannotDecide(Actor actor, ApprovalView approval, String ownerId) {
        if (!actor.has(Role.ADMIN) && !actor.has(Role.COMPLIANCE)) {
            return "Only administrators and compliance officers decide approvals.";
        }
        if (actor.id().equals(approval.requestedBy())) {
            return "You asked for it: someone else must decide.";
        }
        if (actor.id().equals(ownerId)) {
            return "You own this agent: someone else must decide.";
        }
        if (approval.ownersSinceRequest().contains(actor.id())) {
            return "You owned this agent since this was asked for: someone else must decide.";
        }
        if (approval.requiresCompliance() && !actor.has(Role.COMPLIANCE)) {
            return "It touches PHI or highly confidential data: a compliance officer must decide.";
        }
        return null;
    }

    @PostMapping("/approvals/{id}/{decision:approve|reject}")
    String decide(
            @PathVariable String id,
            @PathVariable String decision,
            @RequestParam String reason,
            Actor actor,
            RedirectAttributes flash) {
        try {
            ApprovalId approval = new ApprovalId(UUID.fromString(id));
            if (reason.isBlank()) {
                throw new RegistryException.InvalidField("reason", "Give a reason for the decision");
            }
            if (decision.equals("approve")) {
                approvals.approve(approval, reason.strip(), actor);
            } else {
                approvals.reject(approval, reason.strip(), actor);
            }
            flash.addFlashAttribute("message", decision.equals("approve") ? "Approved." : "Rejected.");
        } catch (RegistryException | IllegalArgumentException e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/portal/approvals";
    }

    /**
     * The kill switches. Targets are chosen by name: an agent from a search by its name ({@code q}; a pasted client id
     * finds its agent too), a tool or a data scope from the catalogue's titles; what is posted is what the API takes.
     */
    @GetMapping("/kill-switches")
    String killSwitches(@RequestParam(defaultValue = "") String q, Actor actor, Model model) {
        model.addAttribute("actor", actor);
        model.addAttribute("active", killSwitches.active());
        model.addAttribute("applied", killSwitches.applied());
        model.addAttribute("tools", catalog.tools());
        model.addAttribute("dataScopes", catalog.dataScopes());
        model.addAttribute("selfTests", selfTest.recent(5));
        try {
            String text = Directory.searchText(q);
            model.addAttribute("agentQuery", text);
            model.addAttribute("agentChoices", agentChoices(text));
        } catch (RegistryException e) {
            model.addAttribute("agentQuery", "");
            model.addAttribute("agentChoices", List.of());
            model.addAttribute("problem", e.getMessage());
        }
        return "portal/kill-switches";
    }

    /** The agents whose name has the text, for the agent kill switch's list (htmx swaps it in as one types). */
    @GetMapping("/kill-switches/agents")
    String agentPicker(@RequestParam(defaultValue = "") String q, Model model) {
        String text = Directory.searchText(q);
        model.addAttribute("agents", agentChoices(text));
        model.addAttribute("q", text);
        return "portal/pickers :: agents";
    }

    /** A handful of agents by name, and the agent with this exact client id first when there is one. */
    private List<AgentView> agentChoices(String text) {
        if (text.isBlank()) {
            return List.of();
        }
        List<AgentView> found = new ArrayList<>();
        agents.findAgentByClientId(text).ifPresent(found::add);
        for (AgentView agent : agents.search(
                        new AgentFilter(null, null, null, null, text, AgentFilter.Sort.NAME), 0, AGENTS_SHOWN)
                .items()) {
            if (found.stream().noneMatch(each -> each.id().equals(agent.id()))) {
                found.add(agent);
            }
        }
        return found.size() > AGENTS_SHOWN ? found.subList(0, AGENTS_SHOWN) : found;
    }

    /** Runs the kill-switch self-test now and says how it went, instance by instance. */
    @PostMapping("/kill-switches/self-test")
    String selfTest(Actor actor, RedirectAttributes flash) {
        try {
            var result = selfTest.run(actor.id());
            if (result.passed()) {
                flash.addFlashAttribute(
                        "message",
                        "Self-test passed: every instance ("
                                + result.instances().size() + ") refused the canary within "
                                + result.bound().toMillis() + " ms and served it again after the release.");
            } else {
                flash.addFlashAttribute(
                        "problem",
                        "Self-test FAILED: "
                                + result.instances().stream()
                                        .filter(each -> !each.passed())
                                        .map(each -> each.name() + " " + each.problem())
                                        .collect(Collectors.joining("; ")));
            }
        } catch (KillSwitchRefused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/portal/kill-switches";
    }

    @PostMapping("/kill-switches")
    String engage(
            @RequestParam KillSwitchScope scope,
            @RequestParam(defaultValue = "") String target,
            @RequestParam(defaultValue = "") String reason,
            @RequestParam(defaultValue = "") String q,
            @RequestParam(defaultValue = "false") boolean find,
            @RequestParam(defaultValue = "false") boolean confirmed,
            Actor actor,
            RedirectAttributes flash) {
        if (find) {
            // the agent form's Find button when script does not intercept it: the page again with the agents found
            flash.addAttribute("q", q);
            return "redirect:/portal/kill-switches#engage-agent";
        }
        if (!confirmed) {
            flash.addFlashAttribute("problem", "Tick the confirmation: a kill switch stops calls at once.");
            return "redirect:/portal/kill-switches";
        }
        if (reason.isBlank()) {
            flash.addFlashAttribute("problem", "Give a reason: it is recorded with the kill switch.");
            return "redirect:/portal/kill-switches";
        }
        if (scope != KillSwitchScope.GLOBAL && target.isBlank()) {
            flash.addFlashAttribute(
                    "problem",
                    switch (scope) {
                        case AGENT -> "Choose the agent to stop: find it by name.";
                        case TOOL -> "Choose the tool to stop.";
                        default -> "Choose the data scope to stop.";
                    });
            return "redirect:/portal/kill-switches";
        }
        try {
            var engaged = killSwitches.engage(
                    scope, scope == KillSwitchScope.GLOBAL ? "*" : target.strip(), reason.strip(), actor.id());
            var propagation = killSwitches.propagation(engaged.id());
            flash.addFlashAttribute(
                    "message",
                    "Engaged: " + scope + (scope == KillSwitchScope.GLOBAL ? "" : " " + engaged.label())
                            + (propagation.everywhere()
                                    ? ", in force on every instance."
                                    : ". Not yet confirmed by " + String.join(", ", propagation.unconfirmed())
                                            + "; they apply it as soon as they hear of it."));
        } catch (KillSwitchRefused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/portal/kill-switches";
    }

    @PostMapping("/kill-switches/{id}/release")
    String release(@PathVariable UUID id, @RequestParam String reason, Actor actor, RedirectAttributes flash) {
        try {
            var result = killSwitches.release(id, reason.strip(), actor.id());
            flash.addFlashAttribute(
                    "message", result.active() ? "Release requested: a second person must confirm it." : "Released.");
        } catch (KillSwitchRefused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/portal/kill-switches";
    }
}
