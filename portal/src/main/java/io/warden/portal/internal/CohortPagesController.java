package io.warden.portal.internal;

import io.warden.audit.problem.Problems;
import io.warden.clinical.cohort.CohortPipeline;
import io.warden.clinical.cohort.CohortRuns;
import io.warden.policy.CohortReadRefused;
import io.warden.policy.CohortReads;
import io.warden.registry.Actor;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.DataSources;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.server.ResponseStatusException;

/**
 * The cohort explorer: pick a run of the imaging cohort builder, follow its steps while it runs, see its
 * series as a scatter plot (UMAP coordinates, coloured by modality or anatomy, metadata on hover), and type a
 * query to see the matching series highlighted and listed. The matches are listed in a table too, so nothing
 * rests on the picture alone. Admins, and owners for their own COHORT_BUILDER agents, start builds here too,
 * through the same service and rules as the API; a refusal is shown next to the field it names.
 */
@Controller
@RequestMapping("/portal/cohorts")
class CohortPagesController {

    private final ObjectProvider<CohortRuns> runs;
    private final AgentQueries registry;
    private final CohortReads reads;

    private final DataSources sources;

    CohortPagesController(
            ObjectProvider<CohortRuns> runs, AgentQueries registry, CohortReads reads, DataSources sources) {
        this.runs = runs;
        this.registry = registry;
        this.reads = reads;
        this.sources = sources;
    }

    /** What the start form shows again after a refusal. */
    record StartForm(String agentId, String cohort, String source) {

        static StartForm empty() {
            return new StartForm("", "", "");
        }
    }

    @GetMapping
    String explorer(
            @RequestParam(required = false) @Nullable String run,
            @RequestParam(required = false) @Nullable PurposeOfUse purposeOfUse,
            Actor actor,
            Model model) {
        model.addAttribute("chosenPurpose", purposeOfUse);
        return page(run, actor, model, StartForm.empty(), null, null);
    }

    @PostMapping
    String start(
            Actor actor,
            Model model,
            @RequestParam(defaultValue = "") String agentId,
            @RequestParam(defaultValue = "") String cohort,
            @RequestParam(defaultValue = "") String source) {
        StartForm form = new StartForm(agentId, cohort, source);
        try {
            CohortRuns.Run started = builds().start(
                            new CohortRuns.StartRequest(agentId, cohort.strip(), source.strip()),
                            new CohortRuns.Requester(actor.id(), actor.has(Role.ADMIN)));
            return "redirect:/portal/cohorts?run=" + started.id();
        } catch (RegistryException e) {
            model.addAttribute("status", Problems.status(e.kind()).value());
            return page(null, actor, model, form, e.field() == null ? "form" : e.field(), e.getMessage());
        }
    }

    private String page(
            @Nullable String run,
            Actor actor,
            Model model,
            StartForm form,
            @Nullable String field,
            @Nullable String problem) {
        CohortRuns builds = runs.getIfAvailable();
        boolean admin = actor.has(Role.ADMIN);
        List<AgentView> builders = builds == null || !(admin || actor.has(Role.OWNER))
                ? List.of()
                : registry.search(
                                new AgentFilter(
                                        AgentStatus.ACTIVE,
                                        AgentKind.COHORT_BUILDER,
                                        admin ? null : actor.id(),
                                        null,
                                        null),
                                0,
                                100)
                        .items();
        model.addAttribute("builders", builders);
        model.addAttribute("sources", builders.isEmpty() ? List.of() : sources.list());
        model.addAttribute("form", form);
        model.addAttribute("field", field);
        model.addAttribute("problem", problem);
        List<CohortRuns.Run> all = readable(builds, actor, model);
        Optional<CohortRuns.Run> chosen = run == null
                ? all.stream()
                        .filter(each -> each.status().equals("PUBLISHED"))
                        .findFirst()
                        .or(() -> all.stream().findFirst())
                : all.stream().filter(each -> each.id().equals(run)).findFirst();
        model.addAttribute("actor", actor);
        model.addAttribute("available", builds != null);
        model.addAttribute("runs", all);
        model.addAttribute("run", chosen.orElse(null));
        SortedSet<PurposeOfUse> purposes =
                chosen.map(each -> reads.purposes(actor, each.id())).orElseGet(TreeSet::new);
        Object asked = model.getAttribute("chosenPurpose");
        model.addAttribute("purposes", purposes);
        model.addAttribute(
                "purpose",
                asked instanceof PurposeOfUse p && purposes.contains(p)
                        ? p
                        : purposes.size() == 1 ? purposes.first() : null);
        model.addAttribute(
                "explorable",
                chosen.map(each -> !each.status().equals("RUNNING")
                                && !each.status().equals("REPLACED")
                                && each.steps().stream()
                                        .anyMatch(step -> step.name().equals("project")
                                                && step.status().equals("DONE")))
                        .orElse(false));
        return "portal/cohorts";
    }

    /** Only the runs the person may read, as the API lists them; none, with the reason, when that cannot be decided. */
    private List<CohortRuns.Run> readable(@Nullable CohortRuns builds, Actor actor, Model model) {
        try {
            return builds == null ? List.of() : reads.list(actor);
        } catch (CohortReadRefused e) {
            model.addAttribute("problem", e.getMessage());
            return List.of();
        }
    }

    /** The run's steps alone, which the page reloads every two seconds while the run is RUNNING. */
    @GetMapping("/{id}/progress")
    String progress(@PathVariable String id, Actor actor, Model model) {
        builds();
        try {
            model.addAttribute("run", reads.find(actor, id));
        } catch (RegistryException e) {
            throw new ResponseStatusException(Problems.status(e.kind()), e.getMessage());
        } catch (CohortReadRefused e) {
            throw new ResponseStatusException(Problems.status(e.kind()), e.getMessage());
        }
        return "portal/cohorts :: progress";
    }

    @GetMapping(path = "/{id}/points", produces = "application/json")
    @ResponseBody
    List<CohortPipeline.Point> points(
            @PathVariable String id, @RequestParam(required = false) @Nullable PurposeOfUse purposeOfUse, Actor actor) {
        builds();
        try {
            return reads.points(actor, id, purposeOfUse);
        } catch (RegistryException e) {
            throw new ResponseStatusException(Problems.status(e.kind()), e.getMessage());
        } catch (CohortReadRefused e) {
            throw new ResponseStatusException(Problems.status(e.kind()), e.getMessage());
        }
    }

    @GetMapping(path = "/{id}/search", produces = "application/json")
    @ResponseBody
    List<CohortRuns.Match> search(
            @PathVariable String id,
            @RequestParam String q,
            @RequestParam(defaultValue = "25") int k,
            @RequestParam(required = false) @Nullable PurposeOfUse purposeOfUse,
            Actor actor) {
        builds();
        try {
            return reads.search(actor, id, q, k, purposeOfUse);
        } catch (RegistryException e) {
            throw new ResponseStatusException(Problems.status(e.kind()), e.getMessage());
        } catch (CohortReadRefused e) {
            throw new ResponseStatusException(Problems.status(e.kind()), e.getMessage());
        }
    }

    private CohortRuns builds() {
        CohortRuns builds = runs.getIfAvailable();
        if (builds == null) {
            throw new ResponseStatusException(
                    HttpStatus.NOT_FOUND, "The cohort builder runs on the retrieval nodes of this deployment");
        }
        return builds;
    }
}
