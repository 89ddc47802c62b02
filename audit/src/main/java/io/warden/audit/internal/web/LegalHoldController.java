package io.warden.audit.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.audit.AuditRetention;
import io.warden.audit.LegalHold;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Legal holds on the audit trail: compliance places, lists and releases them; while a hold is active, retention
 * removes nothing it covers. Each change is recorded in the trail.
 */
@Tag(name = "Audit legal holds")
@RestController
@RequestMapping(path = "/api/v1/audit/legal-holds", produces = "application/json")
class LegalHoldController {

    /** What to hold: at least one of agent, person, sequence range or time range, and the reason. */
    record HoldRequest(
            @Nullable String agentId,
            @Nullable String personId,
            @Nullable Long fromSequence,
            @Nullable Long toSequence,
            @Nullable Instant fromTime,
            @Nullable Instant toTime,
            @Nullable String reason) {}

    record Holds(List<LegalHold> items) {}

    private final AuditRetention retention;

    LegalHoldController(AuditRetention retention) {
        this.retention = retention;
    }

    @Operation(operationId = "listLegalHolds", summary = "Legal holds on the audit trail, active first")
    @GetMapping
    Holds list() {
        return new Holds(retention.holds());
    }

    @Operation(operationId = "placeLegalHold", summary = "Place a legal hold: retention removes nothing it covers")
    @ApiResponse(responseCode = "201", description = "The hold", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", ref = "BadRequest")
    @PostMapping(consumes = "application/json")
    @ResponseStatus(HttpStatus.CREATED)
    LegalHold place(@RequestBody HoldRequest request, Principal principal) {
        String reason = request.reason();
        if (reason == null) {
            throw new AuditRequestInvalid("reason", "A legal hold needs a reason (the matter it is for)");
        }
        text("agentId", request.agentId());
        text("personId", request.personId());
        if (reason.length() > 2000) {
            throw new AuditRequestInvalid("reason", "reason is at most 2000 characters");
        }
        return retention.placeHold(
                new LegalHold.Scope(
                        request.agentId(),
                        request.personId(),
                        request.fromSequence(),
                        request.toSequence(),
                        request.fromTime(),
                        request.toTime(),
                        reason),
                principal.getName());
    }

    @Operation(operationId = "releaseLegalHold", summary = "Release a legal hold")
    @ApiResponse(responseCode = "200", description = "The released hold", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping("/{id}/release")
    LegalHold release(@PathVariable String id, Principal principal) {
        UUID holdId;
        try {
            holdId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new AuditRequestInvalid("id", "Not a legal hold id: " + id);
        }
        return retention.releaseHold(holdId, principal.getName());
    }

    private static void text(String field, @Nullable String value) {
        if (value != null && (value.isBlank() || value.length() > 256)) {
            throw new AuditRequestInvalid(field, field + " must be 1 to 256 characters when given");
        }
    }
}
