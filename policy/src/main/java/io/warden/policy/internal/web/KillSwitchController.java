package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.KillSwitch;
import io.warden.policy.KillSwitchRefused;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.KillSwitches;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Engage, release and list kill switches. */
@Tag(
        name = "Kill switches",
        description = "Stop an agent, a tool, a dataset or everything at once, and the self-test that proves it works")
@RestController
@RequestMapping(path = "/api/v1/kill-switches", produces = "application/json")
class KillSwitchController {

    @Schema(name = "EngageKillSwitch")
    record Engage(
            @NotNull KillSwitchScope scope,
            @Nullable @Size(max = 200) String target,
            @NotBlank @Size(max = 2000) String reason) {}

    @Schema(name = "ReleaseKillSwitch")
    record Release(@NotBlank @Size(max = 2000) String reason) {}

    private final KillSwitches killSwitches;

    KillSwitchController(KillSwitches killSwitches) {
        this.killSwitches = killSwitches;
    }

    @Operation(operationId = "listKillSwitches", summary = "List the engaged kill switches")
    @GetMapping
    List<KillSwitch> active() {
        return killSwitches.active();
    }

    @Operation(
            operationId = "engageKillSwitch",
            summary = "Engage a kill switch on everything, an agent, a tool or a dataset")
    @ApiResponse(
            responseCode = "201",
            description = "Engaged; every instance denies from now on",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(consumes = "application/json")
    ResponseEntity<KillSwitch> engage(@RequestBody @Valid Engage request, Principal principal) {
        if (request.scope() != KillSwitchScope.GLOBAL
                && (request.target() == null || request.target().isBlank())) {
            throw KillSwitchRefused.invalidTarget("A " + request.scope() + " kill switch needs a target");
        }
        KillSwitch engaged = killSwitches.engage(
                request.scope(),
                request.target() == null ? "*" : request.target(),
                request.reason(),
                principal.getName());
        HttpHeaders headers = new HttpHeaders();
        PropagationHeaders.write(headers, killSwitches.propagation(engaged.id()));
        return ResponseEntity.created(URI.create("/api/v1/kill-switches/" + engaged.id()))
                .headers(headers)
                .body(engaged);
    }

    /** 200 when released; 202 when a GLOBAL switch now waits for a second person to confirm the release. */
    @Operation(
            operationId = "releaseKillSwitch",
            summary = "Release a kill switch (a GLOBAL one needs a second person)")
    @ApiResponse(responseCode = "200", description = "Released", useReturnTypeSchema = true)
    @ApiResponse(
            responseCode = "202",
            description = "A GLOBAL switch waits for a second person to confirm the release",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/{id}/release", consumes = "application/json")
    ResponseEntity<KillSwitch> release(
            @PathVariable String id, @RequestBody @Valid Release request, Principal principal) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new KillSwitchRefused("not-found", ProblemKind.NOT_FOUND, "No kill switch " + id);
        }
        KillSwitch result = killSwitches.release(uuid, request.reason(), principal.getName());
        return ResponseEntity.status(result.active() ? HttpStatus.ACCEPTED : HttpStatus.OK)
                .body(result);
    }
}
