package io.warden.portal.internal;

import io.warden.clinical.cohort.CohortPipeline;
import io.warden.clinical.cohort.CohortRuns;
import io.warden.registry.Actor;
import io.warden.registry.RegistryException;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.server.ResponseStatusException;

/**
 * The cohort explorer: pick a run of the imaging cohort builder, follow its steps while it runs, see its
 * series as a scatter plot (UMAP coordinates, coloured by modality or anatomy, metadata on hover), and type a
 * query to see the matching series highlighted and listed. The matches are listed in a table too, so nothing
 * rests on the picture alone. Read-only: builds are started through the API.
 */
@Controller
@RequestMapping("/portal/cohorts")
class CohortPagesController {

    private final ObjectProvider<CohortRuns> runs;

    CohortPagesController(ObjectProvider<CohortRuns> runs) {
        this.runs = runs;
    }

    @GetMapping
    String explorer(@RequestParam(required = false) @Nullable String run, Actor actor, Model model) {
        CohortRuns builds = runs.getIfAvailable();
        List<CohortRuns.Run> all = builds == null ? List.of() : builds.list();
        Optional<CohortRuns.Run> chosen = run == null
                ? all.stream().filter(each -> each.status().equals("PUBLISHED")).findFirst().or(() -> all.stream().findFirst())
                : all.stream().filter(each -> each.id().equals(run)).findFirst();
        model.addAttribute("actor", actor);
        model.addAttribute("available", builds != null);
        model.addAttribute("runs", all);
        model.addAttribute("run", chosen.orElse(null));
        model.addAttribute("explorable", chosen.map(each -> !each.status().equals("RUNNING") && !each.status().equals("REPLACED")
                && each.steps().stream().anyMatch(step -> step.name().equals("project") && step.status().equals("DONE"))).orElse(false));
        return "portal/cohorts";
    }

    /** The run's steps alone, which the page reloads every two seconds while the run is RUNNING. */
    @GetMapping("/{id}/progress")
    String progress(@PathVariable String id, Model model) {
        model.addAttribute("run", builds().find(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND)));
        return "portal/cohorts :: progress";
    }

    @GetMapping(path = "/{id}/points", produces = "application/json")
    @ResponseBody
    List<CohortPipeline.Point> points(@PathVariable String id) {
        try {
            return builds().points(id);
        } catch (RegistryException e) {
            throw new ResponseStatusException(HttpStatus.valueOf(e.httpStatus()), e.getMessage());
        }
    }

    @GetMapping(path = "/{id}/search", produces = "application/json")
    @ResponseBody
    List<CohortRuns.Match> search(@PathVariable String id, @RequestParam String q, @RequestParam(defaultValue = "25") int k) {
        try {
            return builds().search(id, q, k);
        } catch (RegistryException e) {
            throw new ResponseStatusException(HttpStatus.valueOf(e.httpStatus()), e.getMessage());
        }
    }

    private CohortRuns builds() {
        CohortRuns builds = runs.getIfAvailable();
        if (builds == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "The cohort builder runs on the retrieval nodes of this deployment");
        }
        return builds;
    }
}
