package io.warden.lifecycle.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.audit.AuditRetention;
import io.warden.lifecycle.AuditRemovals;
import io.warden.registry.Actor;
import io.warden.registry.RegistryException;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Retention removals of the audit trail's expired start: an admin or compliance officer asks (the range is archived
 * then), a compliance officer who did not ask approves, and the {@code audit-removal} process removes it.
 */
@Tag(name = "Audit retention")
@RestController
@RequestMapping(path = "/api/v1/audit/removals", produces = "application/json")
class AuditRemovalController {

    record Removals(List<AuditRetention.Archive> items) {}

    private final AuditRemovals removals;

    AuditRemovalController(AuditRemovals removals) {
        this.removals = removals;
    }

    @Operation(operationId = "listAuditRemovals", summary = "Archived ranges and whether each was approved and removed")
    @GetMapping
    Removals list() {
        return new Removals(removals.list());
    }

    @Operation(operationId = "requestAuditRemoval", summary = "Archive the expired start of the trail for removal")
    @ApiResponse(
            responseCode = "201",
            description = "Archived; waiting for a second person",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    AuditRetention.Archive request(Actor actor) {
        return removals.request(actor);
    }

    @Operation(operationId = "approveAuditRemoval", summary = "Approve a removal someone else asked for")
    @ApiResponse(
            responseCode = "200",
            description = "Approved; the process removes the range",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping("/{id}/approve")
    AuditRetention.Archive approve(@PathVariable String id, Actor actor) {
        UUID archiveId;
        try {
            archiveId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new RegistryException.InvalidField("id", "Not an audit archive id: " + id);
        }
        return removals.approve(archiveId, actor);
    }
}
