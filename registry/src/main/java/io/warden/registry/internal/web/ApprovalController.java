package io.warden.registry.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.registry.Actor;
import io.warden.registry.ApprovalQueries;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.ApprovalView;
import io.warden.registry.Approvals;
import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Approvals: list, read, approve and reject, each decision with a reason. */
@Tag(
        name = "Approvals",
        description = "Approvals of registrations and change requests; the approver is never the requester")
@RestController
@RequestMapping(path = "/api/v1/approvals", produces = "application/json")
class ApprovalController {

    private final Approvals approvals;
    private final ApprovalQueries queries;

    ApprovalController(Approvals approvals, ApprovalQueries queries) {
        this.approvals = approvals;
        this.queries = queries;
    }

    @Operation(operationId = "listApprovals", summary = "List approvals, filtered by status or agent, paged")
    @GetMapping
    PageResponse<ApprovalView> list(
            @RequestParam(required = false) @Nullable ApprovalStatus status,
            @RequestParam(required = false) @Nullable String agentId,
            @RequestParam(required = false) @Nullable Integer page,
            @RequestParam(required = false) @Nullable Integer size) {
        return PageResponse.of(queries.approvals(status, agentId == null ? null : Ids.agent(agentId), page, size));
    }

    @Operation(operationId = "getApproval", summary = "Read an approval")
    @ApiResponse(responseCode = "200", description = "The approval", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{id}")
    ApprovalView get(@PathVariable String id) {
        return queries.getApproval(Ids.approval(id));
    }

    @Operation(operationId = "approveApproval", summary = "Approve a pending request (never by its requester)")
    @ApiResponse(responseCode = "200", description = "The approval, approved", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/{id}/approve", consumes = "application/json")
    ApprovalView approve(@PathVariable String id, @RequestBody @Valid Requests.Reason request, Actor actor) {
        return approvals.approve(Ids.approval(id), request.reason(), actor);
    }

    @Operation(operationId = "rejectApproval", summary = "Reject a pending request, with a reason")
    @ApiResponse(responseCode = "200", description = "The approval, rejected", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/{id}/reject", consumes = "application/json")
    ApprovalView reject(@PathVariable String id, @RequestBody @Valid Requests.Reason request, Actor actor) {
        return approvals.reject(Ids.approval(id), request.reason(), actor);
    }
}
