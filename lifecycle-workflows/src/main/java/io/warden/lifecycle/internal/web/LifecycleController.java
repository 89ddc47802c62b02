package io.warden.lifecycle.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.lifecycle.AgentLifecycle;
import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.RegistryException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * People's part in the lifecycle processes: owners attest agents under recertification and keep dormant
 * ones; security operations raise and resolve incidents. Each answers 202: the process moves on its own.
 */
@Tag(name = "Agents")
@RestController
@RequestMapping(path = "/api/v1/agents/{id}", produces = "application/json")
class LifecycleController {

    record IncidentRequest(@NotBlank @Size(max = 500) String reason) {}

    record ResolutionRequest(
            @NotNull AgentLifecycle.Resolution resolution,
            @NotBlank @Size(max = 500) String reason) {}

    private final AgentLifecycle lifecycle;

    LifecycleController(AgentLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Operation(operationId = "attestAgent", summary = "Attest that an agent under recertification is still needed")
    @ApiResponse(
            responseCode = "202",
            description = "Accepted; the recertification process moves on",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping("/attestation")
    ResponseEntity<Map<String, Object>> attest(@PathVariable String id, Actor actor) {
        lifecycle.attest(agentId(id), actor);
        return ResponseEntity.accepted().body(Map.of("agentId", id, "attestedBy", actor.id()));
    }

    @Operation(operationId = "keepAgent", summary = "Keep a dormant agent from retirement")
    @ApiResponse(
            responseCode = "202",
            description = "Accepted; the retirement process ends",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping("/keep")
    ResponseEntity<Map<String, Object>> keep(@PathVariable String id, Actor actor) {
        lifecycle.keep(agentId(id), actor);
        return ResponseEntity.accepted().body(Map.of("agentId", id, "keptBy", actor.id()));
    }

    @Operation(
            operationId = "raiseAgentIncident",
            summary = "Raise an incident on an agent: blocks it and starts the incident process")
    @ApiResponse(
            responseCode = "202",
            description = "Accepted; started tells whether a new process began",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/incident", consumes = "application/json")
    ResponseEntity<Map<String, Object>> raise(
            @PathVariable String id, @Valid @RequestBody IncidentRequest request, Actor actor) {
        boolean started = lifecycle.raiseIncident(agentId(id), request.reason(), actor.id());
        return ResponseEntity.accepted().body(Map.of("agentId", id, "started", started));
    }

    @Operation(operationId = "resolveAgentIncident", summary = "Resolve an agent's open incident")
    @ApiResponse(
            responseCode = "202",
            description = "Accepted; the incident process ends with the resolution",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/incident/resolution", consumes = "application/json")
    ResponseEntity<Map<String, Object>> resolve(
            @PathVariable String id, @Valid @RequestBody ResolutionRequest request, Actor actor) {
        lifecycle.resolveIncident(agentId(id), request.resolution(), request.reason(), actor);
        return ResponseEntity.accepted().body(Map.of("agentId", id, "resolution", request.resolution()));
    }

    private static AgentId agentId(String id) {
        try {
            return AgentId.of(id);
        } catch (IllegalArgumentException e) {
            throw new RegistryException.InvalidField("id", "Not an agent id: " + id);
        }
    }
}
