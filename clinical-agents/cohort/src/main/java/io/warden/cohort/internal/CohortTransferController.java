package io.warden.cohort.internal;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.registry.Actor;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Gives a cohort to another COHORT_BUILDER agent: admins only (the role rule), audited as {@code cohort.transferred}.
 * Errors are {@link io.warden.audit.problem.ProblemException}s, rendered by the shared problem advice.
 */
@Tag(name = "Cohort runs")
@RestController
class CohortTransferController {

    @Schema(name = "CohortTransfer")
    record Transfer(
            @NotBlank @Size(max = 100) String agentId,
            @NotBlank @Size(max = 2000) String reason) {}

    private final CohortBuilds builds;

    CohortTransferController(CohortBuilds builds) {
        this.builds = builds;
    }

    @Operation(operationId = "transferCohort", summary = "Give a cohort to another COHORT_BUILDER agent")
    @ApiResponse(
            responseCode = "200",
            description = "The cohort with its new builder agent",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(
            path = "/api/v1/cohorts/{collection}/transfer",
            consumes = "application/json",
            produces = "application/json")
    Map<String, Object> transfer(@PathVariable String collection, @Valid @RequestBody Transfer request, Actor actor) {
        return builds.transfer(collection, request.agentId(), request.reason().strip(), actor.id());
    }
}
