package io.warden.cohort.internal;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.clinical.cohort.CohortPipeline;
import io.warden.clinical.cohort.CohortRuns;
import io.warden.policy.CohortReads;
import io.warden.registry.Actor;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.Role;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
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
@Tag(name = "Cohort runs", description = "Imaging cohort builds: start, follow, read, search and republish runs")
@RestController
@RequestMapping(path = "/api/v1/cohort-runs", produces = "application/json")
class CohortRunController {

    /** {@code source} is a registered data source's key; the run's dataset is that source's data scope. */
    record StartRequest(
            @NotBlank String agentId,
            @NotBlank @Size(max = 40) String cohort,
            @NotBlank @Size(max = 63) String source) {}

    private final CohortRuns runs;
    private final CohortReads reads;

    CohortRunController(CohortRuns runs, CohortReads reads) {
        this.runs = runs;
        this.reads = reads;
    }

    @Operation(operationId = "startCohortRun", summary = "Start a cohort build for a COHORT_BUILDER agent")
    @ApiResponse(
            responseCode = "202",
            description = "Accepted; Location names the run, which the workflow engine carries out",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(consumes = "application/json")
    ResponseEntity<CohortRuns.Run> start(@Valid @RequestBody StartRequest request, Actor actor) {
        CohortRuns.Run run = runs.start(
                new CohortRuns.StartRequest(request.agentId(), request.cohort(), request.source()), requester(actor));
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/cohort-runs/" + run.id()))
                .body(reads.shown(actor, run));
    }

    // reads are decided on the reader's entitlements and audited (CohortReads); starting and republishing are not reads

    @Operation(operationId = "listCohortRuns", summary = "List the cohort runs the caller may see")
    @ApiResponse(responseCode = "200", description = "The runs", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "503", ref = "ServiceUnavailable")
    @GetMapping
    List<CohortRuns.Run> list(Actor actor) {
        return reads.list(actor);
    }

    @Operation(operationId = "getCohortRun", summary = "Read a cohort run and its steps")
    @ApiResponse(responseCode = "200", description = "The run and its steps", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "503", ref = "ServiceUnavailable")
    @GetMapping("/{id}")
    CohortRuns.Run one(@PathVariable String id, Actor actor) {
        return reads.find(actor, id);
    }

    @Operation(operationId = "getCohortRunPoints", summary = "Read a run's series with their 2-D coordinates")
    @ApiResponse(responseCode = "200", description = "The series with their coordinates", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "503", ref = "ServiceUnavailable")
    @GetMapping("/{id}/points")
    List<CohortPipeline.Point> points(
            @PathVariable String id, @RequestParam(required = false) @Nullable PurposeOfUse purposeOfUse, Actor actor) {
        return reads.points(actor, id, purposeOfUse);
    }

    @Operation(operationId = "searchCohortRun", summary = "Search a kept run's series in natural language")
    @ApiResponse(responseCode = "200", description = "The best matches, best first", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "503", ref = "ServiceUnavailable")
    @GetMapping("/{id}/search")
    List<CohortRuns.Match> search(
            @PathVariable String id,
            @RequestParam String q,
            @RequestParam(defaultValue = "20") int k,
            @RequestParam(required = false) @Nullable PurposeOfUse purposeOfUse,
            Actor actor) {
        return reads.search(actor, id, q, k, purposeOfUse);
    }

    @Operation(
            operationId = "republishCohortRun",
            summary = "Go back to a kept run: publish it again as the cohort's current one")
    @ApiResponse(responseCode = "200", description = "The run, published again", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping("/{id}/republish")
    CohortRuns.Run republish(@PathVariable String id, Actor actor) {
        return reads.shown(actor, runs.republish(id, requester(actor)));
    }

    private static CohortRuns.Requester requester(Actor actor) {
        return new CohortRuns.Requester(actor.id(), actor.roles().contains(Role.ADMIN));
    }
}
