package io.warden.portal.internal;

import io.warden.audit.problem.Problems;
import io.warden.registry.Actor;
import io.warden.registry.AgentKind;
import io.warden.registry.Agents;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Commands;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Registering an agent and looking at one. The form shows the registry's refusals next to the field they
 * name, as the API's problem+json names it; the detail page is {@link AgentPage}'s, its actions
 * {@link AgentActionsController}'s.
 */
@Controller
@RequestMapping("/portal/agents")
class AgentPagesController {

    private final Agents agents;
    private final CatalogQueries catalog;
    private final AgentPage page;

    AgentPagesController(Agents agents, CatalogQueries catalog, AgentPage page) {
        this.agents = agents;
        this.catalog = catalog;
        this.page = page;
    }

    @GetMapping("/new")
    String form(Actor actor, Model model) {
        return form(actor, model, "", null, "", Set.of(), Set.of(), Set.of(), null, null);
    }

    private String form(
            Actor actor,
            Model model,
            String name,
            @Nullable AgentKind kind,
            String purpose,
            Set<String> scopes,
            Set<String> tools,
            Set<PurposeOfUse> purposes,
            @Nullable String field,
            @Nullable String problem) {
        model.addAttribute("actor", actor);
        model.addAttribute("kinds", AgentKind.values());
        model.addAttribute("scopes", catalog.dataScopes());
        model.addAttribute("tools", catalog.tools());
        model.addAttribute("name", name);
        model.addAttribute("kind", kind);
        model.addAttribute("purpose", purpose);
        model.addAttribute("chosenScopes", scopes);
        model.addAttribute("chosenTools", tools);
        model.addAttribute("purposes", PurposeOfUse.values());
        model.addAttribute("chosenPurposes", purposes);
        model.addAttribute("field", field);
        model.addAttribute("problem", problem);
        return "portal/register";
    }

    @PostMapping
    String register(
            Actor actor,
            Model model,
            @RequestParam(defaultValue = "") String name,
            @RequestParam(required = false) @Nullable AgentKind kind,
            @RequestParam(defaultValue = "") String purpose,
            @RequestParam(name = "dataScopes", required = false) @Nullable List<String> dataScopes,
            @RequestParam(name = "tools", required = false) @Nullable List<String> tools,
            @RequestParam(name = "purposesOfUse", required = false) @Nullable List<String> purposesOfUse) {
        Set<String> scopes = new TreeSet<>(dataScopes == null ? List.of() : dataScopes);
        Set<String> chosenTools = new TreeSet<>(tools == null ? List.of() : tools);
        Set<PurposeOfUse> purposes = new TreeSet<>();
        try {
            for (String code : purposesOfUse == null ? List.<String>of() : purposesOfUse) {
                purposes.add(purposeOfUse(code));
            }
            if (name.isBlank() || name.length() > 120) {
                throw new RegistryException.InvalidField("name", "Give the agent a name of at most 120 characters");
            }
            if (kind == null) {
                throw new RegistryException.InvalidField("kind", "Choose what kind of agent it is");
            }
            if (purpose.isBlank() || purpose.length() > 4000) {
                throw new RegistryException.InvalidField(
                        "purpose", "Say what the agent is for, in at most 4,000 characters");
            }
            var registered = agents.register(
                    new Commands.RegisterAgent(
                            name.strip(),
                            kind,
                            purpose.strip(),
                            null,
                            null,
                            new TreeSet<>(scopes),
                            new TreeSet<>(chosenTools),
                            new TreeSet<>(purposes),
                            true),
                    null,
                    actor);
            return "redirect:/portal/agents/" + registered.agent().id();
        } catch (RegistryException e) {
            model.addAttribute("status", Problems.status(e.kind()).value());
            return form(
                    actor,
                    model,
                    name,
                    kind,
                    purpose,
                    scopes,
                    chosenTools,
                    purposes,
                    e.field() == null ? "form" : e.field(),
                    e.getMessage());
        }
    }

    private static PurposeOfUse purposeOfUse(String code) {
        try {
            return PurposeOfUse.valueOf(code);
        } catch (IllegalArgumentException e) {
            throw new RegistryException.InvalidField("purposesOfUse", "Unknown purpose of use '" + code + "'");
        }
    }

    @GetMapping("/{id}")
    String detail(@PathVariable String id, Actor actor, Model model) {
        return page.render(AgentPage.agentId(id), actor, model);
    }
}
