package io.warden.app.cohort;

import io.warden.clinical.cohort.CohortPipeline;
import io.warden.clinical.cohort.CohortRuns;
import io.warden.policy.CohortReads;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.Actor;
import io.warden.registry.Role;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The cohort builds: start one for a COHORT_BUILDER agent (202; the workflow engine runs it), follow its
 * steps, read its series with their 2-D coordinates, search a kept run, and go back to a kept run.
 */
@RestController
@RequestMapping(path = "/api/v1/cohort-runs", produces = "application/json")
class CohortRunController {

    /** {@code source} is a registered data source's key; the run's dataset is that source's data scope. */
    record StartRequest(@NotBlank String agentId, @NotBlank @Size(max = 40) String cohort, @NotBlank @Size(max = 63) String source) {
    }

    private final CohortRuns runs;
    private final CohortReads reads;

    CohortRunController(CohortRuns runs, CohortReads reads) {
        this.runs = runs;
        this.reads = reads;
    }

    @PostMapping(consumes = "application/json")
    ResponseEntity<CohortRuns.Run> start(@Valid @RequestBody StartRequest request, Actor actor) {
        CohortRuns.Run run = runs.start(new CohortRuns.StartRequest(request.agentId(), request.cohort(), request.source()),
                requester(actor));
        return ResponseEntity.accepted().location(URI.create("/api/v1/cohort-runs/" + run.id())).body(reads.shown(actor, run));
    }

    // reads are decided on the reader's entitlements and audited (CohortReads); starting and republishing are not reads

    @GetMapping
    List<CohortRuns.Run> list(Actor actor) {
        return reads.list(actor);
    }

    @GetMapping("/{id}")
    CohortRuns.Run one(@PathVariable String id, Actor actor) {
        return reads.find(actor, id);
    }

    @GetMapping("/{id}/points")
    List<CohortPipeline.Point> points(@PathVariable String id, @RequestParam(required = false) @Nullable PurposeOfUse purposeOfUse,
            Actor actor) {
        return reads.points(actor, id, purposeOfUse);
    }

    @GetMapping("/{id}/search")
    List<CohortRuns.Match> search(@PathVariable String id, @RequestParam String q, @RequestParam(defaultValue = "20") int k,
            @RequestParam(required = false) @Nullable PurposeOfUse purposeOfUse, Actor actor) {
        return reads.search(actor, id, q, k, purposeOfUse);
    }

    @PostMapping("/{id}/republish")
    CohortRuns.Run republish(@PathVariable String id, Actor actor) {
        return reads.shown(actor, runs.republish(id, requester(actor)));
    }

    private static CohortRuns.Requester requester(Actor actor) {
        return new CohortRuns.Requester(actor.id(), actor.roles().contains(Role.ADMIN));
    }
}
