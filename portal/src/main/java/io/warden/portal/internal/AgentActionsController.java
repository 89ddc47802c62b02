package io.warden.portal.internal;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import io.warden.audit.problem.Problems;
import io.warden.lifecycle.AgentLifecycle;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.KillSwitches;
import io.warden.policy.RateLimits;
import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.Agents;
import io.warden.registry.Approvals;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Commands;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.PurposeOfUse;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The actions on the agent page. Each calls the same service as its API endpoint, as the signed-in person, after
 * the same checks the API's request body gets (the constraints below are copied from the API's request records, so
 * a refusal reads the same: {@code Field 'reason' must not be blank}). A refusal, by validation or by the service,
 * renders the agent page again with the HTTP status the API would answer, the message next to the field it names
 * and what was typed; a success redirects to the page with what happened. The role rules are the API's, enforced
 * on these paths by the portal's security chain.
 */
@Controller
@RequestMapping("/portal/agents/{id}")
class AgentActionsController {

    private static final String KEY = "^[a-z0-9][a-z0-9-]{1,62}$";

    record Reason(@NotBlank @Size(max = 2000) String reason) {}

    record ChangeOwner(
            @NotBlank @Size(max = 200) String ownerId,
            @NotBlank @Size(max = 2000) String reason) {}

    record ChangeRequest(
            @Size(max = 100) Set<@Pattern(regexp = KEY) String> addScopes,
            @Size(max = 100) Set<@Pattern(regexp = KEY) String> removeScopes,
            @Size(max = 100) Set<@Pattern(regexp = KEY) String> addTools,
            @Size(max = 100) Set<@Pattern(regexp = KEY) String> removeTools,
            @Size(max = 20) Set<@NotNull PurposeOfUse> addPurposes,
            @Size(max = 20) Set<@NotNull PurposeOfUse> removePurposes,
            @NotBlank @Size(max = 4000) String justification) {}

    record Incident(@NotBlank @Size(max = 500) String reason) {}

    record ResolveIncident(
            @NotNull AgentLifecycle.@Nullable Resolution resolution,
            @NotBlank @Size(max = 500) String reason) {}

    record Engage(@NotBlank @Size(max = 2000) String reason) {}

    record SetLimit(
            @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax("1000000") @Nullable
            Double ratePerSecond,

            @NotNull @Min(1) @Max(10_000_000) @Nullable Integer burst,
            @Nullable @Min(0) @Max(1_000_000_000_000L) Long dailyQuota,
            @Nullable @Min(0) @Max(1_000_000_000_000L) Long monthlyQuota,
            @Nullable @Min(0) Long version) {}

    /** A request the page refuses before any service sees it, as the API's validation would. */
    private static final class Refused extends ProblemException {
        Refused(String detail, @Nullable String field) {
            super("invalid-field", ProblemKind.INVALID, detail, field, Map.of());
        }
    }

    /** One action: what the service does; it answers the message the page shows afterwards. */
    @FunctionalInterface
    private interface Action {
        String run();
    }

    private final AgentPage page;
    private final Validator validator;
    private final Agents agents;
    private final AgentQueries agentQueries;
    private final Approvals approvals;
    private final AgentLifecycle lifecycle;
    private final KillSwitches killSwitches;
    private final RateLimits rateLimits;
    private final CatalogQueries catalog;
    private final Directory directory;

    AgentActionsController(
            AgentPage page,
            Validator validator,
            Agents agents,
            AgentQueries agentQueries,
            Approvals approvals,
            AgentLifecycle lifecycle,
            KillSwitches killSwitches,
            RateLimits rateLimits,
            CatalogQueries catalog,
            Directory directory) {
        this.page = page;
        this.validator = validator;
        this.agents = agents;
        this.agentQueries = agentQueries;
        this.approvals = approvals;
        this.lifecycle = lifecycle;
        this.killSwitches = killSwitches;
        this.rateLimits = rateLimits;
        this.catalog = catalog;
        this.directory = directory;
    }

    @PostMapping("/suspend")
    String suspend(
            @PathVariable String id,
            @RequestParam(defaultValue = "") String reason,
            @RequestParam(defaultValue = "false") boolean confirmed,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        return act(id, "suspend", Map.of("reason", reason), actor, model, response, flash, agent -> () -> {
            confirm(confirmed, "suspending stops the agent's calls at once");
            agents.suspend(agent, valid(new Reason(reason)).reason().strip(), actor);
            return "Suspended: its calls are denied until it is reinstated.";
        });
    }

    @PostMapping("/reinstate")
    String reinstate(
            @PathVariable String id,
            @RequestParam(defaultValue = "") String reason,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        return act(id, "reinstate", Map.of("reason", reason), actor, model, response, flash, agent -> () -> {
            agents.reinstate(agent, valid(new Reason(reason)).reason().strip(), actor);
            return "Reinstated.";
        });
    }

    @PostMapping("/retire")
    String retire(
            @PathVariable String id,
            @RequestParam(defaultValue = "") String reason,
            @RequestParam(defaultValue = "false") boolean confirmed,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        return act(id, "retire", Map.of("reason", reason), actor, model, response, flash, agent -> () -> {
            confirm(confirmed, "a retired agent cannot come back");
            agents.retire(agent, valid(new Reason(reason)).reason().strip(), actor);
            return "Retired.";
        });
    }

    /**
     * The new owner is chosen by name: the form's search field ({@code q}) lists people from the directory and the
     * chosen one's directory id is what is posted, checked by the service as the API's is. The form's Find button,
     * when script does not intercept it, posts {@code find}: the page comes back with the people found and nothing
     * is changed.
     */
    @PostMapping("/owner")
    String changeOwner(
            @PathVariable String id,
            @RequestParam(defaultValue = "") String ownerId,
            @RequestParam(defaultValue = "") String reason,
            @RequestParam(defaultValue = "") String q,
            @RequestParam(defaultValue = "false") boolean find,
            @RequestParam(defaultValue = "false") boolean confirmed,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        var typed = Map.of("ownerId", ownerId, "reason", reason, "q", q);
        if (find) {
            AgentId agent = AgentPage.agentId(id);
            agentQueries.get(agent);
            try {
                model.addAttribute("ownerQuery", Directory.searchText(q));
                model.addAttribute("ownerChoices", PeoplePickerController.choices(directory, Directory.searchText(q)));
            } catch (ProblemException e) {
                response.setStatus(Problems.status(e.kind()).value());
                model.addAttribute(
                        "failure", new AgentPage.Failure("owner", e.field(), String.valueOf(e.getMessage()), typed));
            }
            return page.render(agent, actor, model);
        }
        Runnable choices = () -> ownerChoices(q, model);
        return act(id, "owner", typed, actor, model, response, flash, choices, agent -> () -> {
            var request = valid(new ChangeOwner(ownerId.strip(), reason));
            confirm(confirmed, "the new owner answers for the agent from now on");
            agents.changeOwner(agent, request.ownerId(), request.reason().strip(), actor);
            return "Owner changed.";
        });
    }

    /** After a refusal, the people the typed search finds again, so that choosing anew is one click. */
    private void ownerChoices(String q, Model model) {
        List<DirectoryUser> people;
        String text;
        try {
            text = Directory.searchText(q);
            people = PeoplePickerController.choices(directory, text);
        } catch (ProblemException e) {
            text = "";
            people = List.of();
        }
        model.addAttribute("ownerQuery", text);
        model.addAttribute("ownerChoices", people);
    }

    @PostMapping("/change-requests")
    String requestChange(
            @PathVariable String id,
            @RequestParam(required = false) @Nullable List<String> addScopes,
            @RequestParam(required = false) @Nullable List<String> removeScopes,
            @RequestParam(required = false) @Nullable List<String> addTools,
            @RequestParam(required = false) @Nullable List<String> removeTools,
            @RequestParam(required = false) @Nullable List<String> addPurposes,
            @RequestParam(required = false) @Nullable List<String> removePurposes,
            @RequestParam(defaultValue = "") String justification,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        return act(id, "change", Map.of("justification", justification), actor, model, response, flash, agent -> () -> {
            var request = valid(new ChangeRequest(
                    set(addScopes),
                    set(removeScopes),
                    set(addTools),
                    set(removeTools),
                    purposes("addPurposes", addPurposes),
                    purposes("removePurposes", removePurposes),
                    justification));
            var approval = approvals.requestChange(
                    agent,
                    new Commands.RequestChange(
                            new TreeSet<>(request.addScopes()),
                            new TreeSet<>(request.removeScopes()),
                            new TreeSet<>(request.addTools()),
                            new TreeSet<>(request.removeTools()),
                            new TreeSet<>(request.addPurposes()),
                            new TreeSet<>(request.removePurposes()),
                            request.justification().strip()),
                    actor);
            return "Change requested: it waits for approval " + approval.id() + ".";
        });
    }

    @PostMapping("/attestation")
    String attest(
            @PathVariable String id, Actor actor, Model model, HttpServletResponse response, RedirectAttributes flash) {
        return act(id, "attest", Map.of(), actor, model, response, flash, agent -> () -> {
            lifecycle.attest(agent, actor);
            return "Attested: the recertification moves on.";
        });
    }

    @PostMapping("/keep")
    String keep(
            @PathVariable String id, Actor actor, Model model, HttpServletResponse response, RedirectAttributes flash) {
        return act(id, "keep", Map.of(), actor, model, response, flash, agent -> () -> {
            lifecycle.keep(agent, actor);
            return "Kept: the agent will not be retired for dormancy now.";
        });
    }

    @PostMapping("/incident")
    String raiseIncident(
            @PathVariable String id,
            @RequestParam(defaultValue = "") String reason,
            @RequestParam(defaultValue = "false") boolean confirmed,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        return act(id, "incident", Map.of("reason", reason), actor, model, response, flash, agent -> () -> {
            var request = valid(new Incident(reason));
            confirm(confirmed, "an incident suspends the agent and disables its identity");
            boolean started = lifecycle.raiseIncident(agent, request.reason().strip(), actor.id());
            return started
                    ? "Incident raised: the agent is being suspended and its identity disabled."
                    : "An incident is open for this agent already.";
        });
    }

    @PostMapping("/incident/resolution")
    String resolveIncident(
            @PathVariable String id,
            @RequestParam(defaultValue = "") String resolution,
            @RequestParam(defaultValue = "") String reason,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        var typed = Map.of("resolution", resolution, "reason", reason);
        return act(id, "resolve", typed, actor, model, response, flash, agent -> () -> {
            var request = valid(new ResolveIncident(resolution(resolution), reason));
            lifecycle.resolveIncident(
                    agent,
                    Objects.requireNonNull(request.resolution()),
                    request.reason().strip(),
                    actor);
            return "Incident resolved: " + request.resolution() + ".";
        });
    }

    @PostMapping("/kill-switch")
    String engageKillSwitch(
            @PathVariable String id,
            @RequestParam(defaultValue = "") String reason,
            @RequestParam(defaultValue = "false") boolean confirmed,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        return act(id, "kill", Map.of("reason", reason), actor, model, response, flash, agent -> () -> {
            var request = valid(new Engage(reason));
            confirm(confirmed, "a kill switch stops the agent's calls on every instance at once");
            var engaged = killSwitches.engage(
                    KillSwitchScope.AGENT, agent.toString(), request.reason().strip(), actor.id());
            return killSwitches.propagation(engaged.id()).everywhere()
                    ? "Kill switch engaged, in force on every instance."
                    : "Kill switch engaged; the other instances apply it as soon as they hear of it.";
        });
    }

    @PostMapping("/rate-limits/{tool}")
    String setRateLimit(
            @PathVariable String id,
            @PathVariable String tool,
            @RequestParam(defaultValue = "") String ratePerSecond,
            @RequestParam(defaultValue = "") String burst,
            @RequestParam(defaultValue = "") String dailyQuota,
            @RequestParam(defaultValue = "") String monthlyQuota,
            @RequestParam(defaultValue = "") String version,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        var typed = Map.of(
                "ratePerSecond", ratePerSecond, "burst", burst, "dailyQuota", dailyQuota, "monthlyQuota", monthlyQuota);
        return act(id, "limit-" + tool, typed, actor, model, response, flash, agent -> () -> {
            String key = catalog.tool(tool).key();
            var request = valid(new SetLimit(
                    number("ratePerSecond", ratePerSecond, Double::valueOf),
                    number("burst", burst, Integer::valueOf),
                    number("dailyQuota", dailyQuota, Long::valueOf),
                    number("monthlyQuota", monthlyQuota, Long::valueOf),
                    number("version", version, Long::valueOf)));
            rateLimits.setOverride(
                    agent,
                    key,
                    new RateLimits.Limit(
                            Objects.requireNonNull(request.ratePerSecond()),
                            Objects.requireNonNull(request.burst()),
                            request.dailyQuota(),
                            request.monthlyQuota()),
                    request.version(),
                    actor.id());
            return "Limit set for " + catalog.tool(key).displayName() + ".";
        });
    }

    @PostMapping("/rate-limits/{tool}/removal")
    String removeRateLimit(
            @PathVariable String id,
            @PathVariable String tool,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash) {
        return act(id, "limit-" + tool, Map.of(), actor, model, response, flash, agent -> () -> {
            String key = catalog.tool(tool).key();
            rateLimits.removeOverride(agent, key, actor.id());
            return "The agent's own limit for " + catalog.tool(key).displayName() + " is removed: the tool's applies.";
        });
    }

    /**
     * Runs the action on an existing agent; a refusal renders the page with the API's status and the message in
     * the action's form, a success redirects (so a reload does not act twice).
     */
    private String act(
            String id,
            String action,
            Map<String, String> typed,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash,
            Function<AgentId, Action> prepare) {
        return act(id, action, typed, actor, model, response, flash, () -> {}, prepare);
    }

    /** As above; {@code onRefusal} adds what the refused form shows again besides what was typed. */
    private String act(
            String id,
            String action,
            Map<String, String> typed,
            Actor actor,
            Model model,
            HttpServletResponse response,
            RedirectAttributes flash,
            Runnable onRefusal,
            Function<AgentId, Action> prepare) {
        AgentId agent = AgentPage.agentId(id);
        agentQueries.get(agent); // an unknown agent is a 404, as in the API
        try {
            flash.addFlashAttribute("message", prepare.apply(agent).run());
            return "redirect:/portal/agents/" + agent;
        } catch (ProblemException e) {
            response.setStatus(Problems.status(e.kind()).value());
            model.addAttribute(
                    "failure", new AgentPage.Failure(action, e.field(), String.valueOf(e.getMessage()), typed));
            onRefusal.run();
            return page.render(agent, actor, model);
        }
    }

    /** The API's message for the first invalid field, by field name, as its problem+json words it. */
    private <T> T valid(T request) {
        Set<ConstraintViolation<T>> violations = validator.validate(request);
        if (violations.isEmpty()) {
            return request;
        }
        ConstraintViolation<T> first = violations.stream()
                .min(Comparator.comparing(
                        violation -> violation.getPropertyPath().toString()))
                .orElseThrow();
        String field =
                first.getPropertyPath().toString().replaceAll("\\[.*$", "").replaceAll("<.*$", "");
        String more = violations.size() > 1 ? " (and " + (violations.size() - 1) + " more)" : "";
        throw new Refused("Field '" + field + "' " + first.getMessage() + more, field);
    }

    private static void confirm(boolean confirmed, String why) {
        if (!confirmed) {
            throw new Refused("Tick the confirmation: " + why + ".", "confirmed");
        }
    }

    private static SortedSet<String> set(@Nullable List<String> values) {
        return new TreeSet<>(values == null ? List.of() : values);
    }

    private static SortedSet<PurposeOfUse> purposes(String field, @Nullable List<String> codes) {
        SortedSet<PurposeOfUse> purposes = new TreeSet<>();
        for (String code : codes == null ? List.<String>of() : codes) {
            try {
                purposes.add(PurposeOfUse.valueOf(code));
            } catch (IllegalArgumentException e) {
                throw new Refused("Field '" + field + "' has a value of the wrong form: '" + code + "'", field);
            }
        }
        return purposes;
    }

    private static AgentLifecycle.@Nullable Resolution resolution(String value) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            return AgentLifecycle.Resolution.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new Refused("Field 'resolution' has a value of the wrong form: '" + value + "'", "resolution");
        }
    }

    private static <N> @Nullable N number(String field, String value, Function<String, N> parse) {
        if (value.isBlank()) {
            return null;
        }
        try {
            return parse.apply(value.strip());
        } catch (NumberFormatException e) {
            throw new Refused("Field '" + field + "' has the wrong type", field);
        }
    }
}
