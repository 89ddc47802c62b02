package io.warden.registry.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.registry.Actor;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.Agents;
import io.warden.registry.ApprovalView;
import io.warden.registry.Approvals;
import io.warden.registry.Commands;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Agents: register, list, read, update, change owner, submit, suspend, reinstate, retire, request changes. */
@Tag(
        name = "Agents",
        description = "Registered agents: registration, status changes and the lifecycle processes people take part in")
@RestController
@Validated
@RequestMapping(path = "/api/v1/agents", produces = "application/json")
class AgentController {

    private final Agents agents;
    private final AgentQueries queries;
    private final Approvals approvals;

    AgentController(Agents agents, AgentQueries queries, Approvals approvals) {
        this.agents = agents;
        this.queries = queries;
        this.approvals = approvals;
    }

    @Operation(operationId = "listAgents", summary = "List agents, filtered, sorted and paged")
    @GetMapping
    PageResponse<AgentView> list(
            @RequestParam(required = false) @Nullable AgentStatus status,
            @RequestParam(required = false) @Nullable AgentKind kind,
            @RequestParam(required = false) @Nullable @Size(max = 200) String owner,
            @RequestParam(required = false) @Nullable @Size(max = 63) String dataScope,
            @RequestParam(required = false) @Nullable @Size(max = 200) String q,
            @RequestParam(required = false) AgentFilter.@Nullable Sort sort,
            @RequestParam(required = false) @Nullable Integer page,
            @RequestParam(required = false) @Nullable Integer size) {
        var filter = new AgentFilter(status, kind, owner, dataScope, q, sort);
        return PageResponse.of(queries.search(filter, page, size));
    }

    @Operation(
            operationId = "registerAgent",
            summary = "Register an agent (and submit it for approval unless submit is false)")
    @ApiResponse(
            responseCode = "201",
            description = "Registered; Location names the new agent",
            useReturnTypeSchema = true)
    @ApiResponse(
            responseCode = "200",
            description = "Replayed: the agent an earlier request with the same Idempotency-Key registered",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(responseCode = "422", ref = "UnprocessableContent")
    @PostMapping(consumes = "application/json")
    ResponseEntity<AgentView> register(
            @RequestBody @Valid Requests.RegisterAgent request,
            @RequestHeader(name = "Idempotency-Key", required = false)
                    @Nullable
                    @Size(min = 1, max = 200)
                    @Pattern(regexp = "^[\\x21-\\x7e]+$")
                    String idempotencyKey,
            Actor actor) {
        var command = new Commands.RegisterAgent(
                request.name(),
                request.kind(),
                request.purpose(),
                request.ownerId(),
                Requests.Model.of(request.model()),
                Requests.sorted(request.dataScopes()),
                Requests.sorted(request.tools()),
                Requests.sorted(request.purposesOfUse()),
                request.submit() == null || request.submit());
        Agents.Registration registration = agents.register(command, idempotencyKey, actor);
        AgentView agent = registration.agent();
        return ResponseEntity.status(registration.replayed() ? HttpStatus.OK : HttpStatus.CREATED)
                .location(URI.create("/api/v1/agents/" + agent.id()))
                .eTag(etag(agent))
                .header("Idempotent-Replayed", String.valueOf(registration.replayed()))
                .body(agent);
    }

    @Operation(operationId = "getAgent", summary = "Read an agent; ETag carries its version")
    @ApiResponse(responseCode = "200", description = "The agent", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{id}")
    ResponseEntity<AgentView> get(@PathVariable String id) {
        return withEtag(queries.get(Ids.agent(id)));
    }

    @Operation(operationId = "updateAgent", summary = "Update an agent from the version read")
    @ApiResponse(responseCode = "200", description = "The agent as updated", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PutMapping(path = "/{id}", consumes = "application/json")
    ResponseEntity<AgentView> update(
            @PathVariable String id, @RequestBody @Valid Requests.UpdateAgent request, Actor actor) {
        var command = new Commands.UpdateAgent(
                request.name(),
                request.purpose(),
                Requests.Model.of(request.model()),
                request.requestedScopes() == null ? null : Requests.sorted(request.requestedScopes()),
                request.requestedTools() == null ? null : Requests.sorted(request.requestedTools()),
                request.requestedPurposes() == null ? null : Requests.sorted(request.requestedPurposes()),
                request.version());
        return withEtag(agents.update(Ids.agent(id), command, actor));
    }

    @Operation(operationId = "changeAgentOwner", summary = "Give an agent to another owner")
    @ApiResponse(responseCode = "200", description = "The agent with its new owner", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PutMapping(path = "/{id}/owner", consumes = "application/json")
    ResponseEntity<AgentView> changeOwner(
            @PathVariable String id, @RequestBody @Valid Requests.ChangeOwner request, Actor actor) {
        return withEtag(agents.changeOwner(Ids.agent(id), request.ownerId(), request.reason(), actor));
    }

    @Operation(operationId = "submitAgent", summary = "Submit a draft agent for approval")
    @ApiResponse(responseCode = "200", description = "The agent, submitted", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping("/{id}/submit")
    ResponseEntity<AgentView> submit(@PathVariable String id, Actor actor) {
        return withEtag(agents.submit(Ids.agent(id), actor));
    }

    @Operation(operationId = "suspendAgent", summary = "Suspend an agent: its calls are denied until it is reinstated")
    @ApiResponse(responseCode = "200", description = "The agent, suspended", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/{id}/suspend", consumes = "application/json")
    ResponseEntity<AgentView> suspend(
            @PathVariable String id, @RequestBody @Valid Requests.Reason request, Actor actor) {
        return withEtag(agents.suspend(Ids.agent(id), request.reason(), actor));
    }

    @Operation(operationId = "reinstateAgent", summary = "Reinstate a suspended agent")
    @ApiResponse(responseCode = "200", description = "The agent, reinstated", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/{id}/reinstate", consumes = "application/json")
    ResponseEntity<AgentView> reinstate(
            @PathVariable String id, @RequestBody @Valid Requests.Reason request, Actor actor) {
        return withEtag(agents.reinstate(Ids.agent(id), request.reason(), actor));
    }

    @Operation(operationId = "retireAgent", summary = "Retire an agent for good")
    @ApiResponse(responseCode = "200", description = "The agent, retired", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/{id}/retire", consumes = "application/json")
    ResponseEntity<AgentView> retire(
            @PathVariable String id, @RequestBody @Valid Requests.Reason request, Actor actor) {
        return withEtag(agents.retire(Ids.agent(id), request.reason(), actor));
    }

    @Operation(
            operationId = "requestAgentChange",
            summary = "Ask for scopes, tools or purposes to be added or removed; opens an approval")
    @ApiResponse(responseCode = "201", description = "The approval the change waits for", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/{id}/change-requests", consumes = "application/json")
    @ResponseStatus(HttpStatus.CREATED)
    ApprovalView requestChange(
            @PathVariable String id, @RequestBody @Valid Requests.ChangeRequest request, Actor actor) {
        var change = new Commands.RequestChange(
                Requests.sorted(request.addScopes()),
                Requests.sorted(request.removeScopes()),
                Requests.sorted(request.addTools()),
                Requests.sorted(request.removeTools()),
                Requests.sorted(request.addPurposes()),
                Requests.sorted(request.removePurposes()),
                request.justification());
        return approvals.requestChange(Ids.agent(id), change, actor);
    }

    private static ResponseEntity<AgentView> withEtag(AgentView agent) {
        return ResponseEntity.ok().eTag(etag(agent)).body(agent);
    }

    private static String etag(AgentView agent) {
        return "\"" + agent.version() + "\"";
    }
}
