package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.policy.PolicyCandidate;
import io.warden.policy.PolicySimulations;
import io.warden.policy.SimulationReport;
import io.warden.registry.Actor;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** What-if replay of a policy change against the recorded decisions of a time range. */
@Tag(
        name = "Policy simulations",
        description = "Which recorded decisions a change of the policy's rules would have decided the other way")
@RestController
@RequestMapping(path = "/api/v1/policy/simulations", produces = "application/json")
class PolicySimulationController {

    @Schema(name = "PolicySimulationRequest")
    record Request(
            @NotNull Instant from,
            @NotNull Instant to,
            @NotNull PolicyCandidate candidate,
            @Nullable Integer examples,
            @Nullable @Size(max = 2000) String description) {}

    private static final int DEFAULT_EXAMPLES = 3;

    private final PolicySimulations simulations;

    PolicySimulationController(PolicySimulations simulations) {
        this.simulations = simulations;
    }

    @Operation(
            operationId = "simulatePolicyChange",
            summary = "Replay a time range of recorded decisions with candidate rules and report the flips")
    @ApiResponse(responseCode = "200", description = "The replay's report", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", ref = "BadRequest")
    @ApiResponse(responseCode = "503", ref = "ServiceUnavailable")
    @PostMapping(consumes = "application/json")
    SimulationReport simulate(@RequestBody @Valid Request request, Actor actor) {
        return simulations.simulate(new PolicySimulations.Simulation(
                request.from(),
                request.to(),
                request.candidate(),
                request.examples() == null ? DEFAULT_EXAMPLES : request.examples(),
                request.description(),
                actor.id()));
    }
}
