package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.policy.CallApproval;
import io.warden.policy.CallApprovalDesk;
import io.warden.registry.Actor;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Calls parked for a person's approval, and their decisions. Kept apart from {@code /api/v1/approvals/{id}} (agent
 * onboarding): a parked call is one call's exact arguments, not an agent's grants.
 */
@Tag(name = "Call approvals", description = "Approve or deny a single call an agent made on a marked tool or scope")
@RestController
@RequestMapping(path = "/api/v1/approvals/calls", produces = "application/json")
class CallApprovalController {

    @Schema(name = "CallApprovalDecision")
    record Decide(@NotBlank @Size(max = 2000) String reason) {}

    private final CallApprovalDesk desk;

    CallApprovalController(CallApprovalDesk desk) {
        this.desk = desk;
    }

    @Operation(
            operationId = "listCallApprovals",
            summary = "The parked calls this person may see: pending first, then the most recent decided ones")
    @GetMapping
    List<CallApproval> calls(@RequestParam(defaultValue = "100") int limit, Actor actor) {
        return desk.calls(actor, limit);
    }

    @Operation(operationId = "getCallApproval", summary = "A parked call with its exact arguments")
    @ApiResponse(responseCode = "200", description = "The parked call", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{id}")
    CallApproval call(@PathVariable String id, Actor actor) {
        return desk.call(id, actor);
    }

    @Operation(
            operationId = "approveCall",
            summary = "Approve exactly this call: its agent may resubmit it once, before it expires")
    @ApiResponse(responseCode = "200", description = "The approved call", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/{id}/approve", consumes = "application/json")
    CallApproval approve(@PathVariable String id, @RequestBody @Valid Decide decision, Actor actor) {
        return desk.approve(id, decision.reason(), actor);
    }

    @Operation(operationId = "denyCall", summary = "Deny this call: its approval id is never usable")
    @ApiResponse(responseCode = "200", description = "The denied call", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/{id}/deny", consumes = "application/json")
    CallApproval deny(@PathVariable String id, @RequestBody @Valid Decide decision, Actor actor) {
        return desk.deny(id, decision.reason(), actor);
    }
}
