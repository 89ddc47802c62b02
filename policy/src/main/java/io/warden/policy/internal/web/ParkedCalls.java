package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.media.Schema;
import io.warden.policy.ApprovalRequired;
import java.time.Instant;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A call parked for a person's approval is no failure of the call: the REST edges answer {@code 202 Accepted} with
 * the approval (its id to resubmit with in {@code Warden-Approval}, the link a person decides at, in the body and in
 * {@code Location}), not a problem document.
 */
// ahead of the application's catch-all advice, which would answer an unknown exception 500
@Order(Ordered.HIGHEST_PRECEDENCE)
@RestControllerAdvice(assignableTypes = {GatewayController.class, GatewayToolsController.class})
class ParkedCalls {

    /** The answer to a parked call. */
    @Schema(name = "ParkedCall")
    record Parked(
            @Schema(description = "Always PENDING: nothing was forwarded")
            String status,

            @Schema(description = "Resubmit the same call with this id in the Warden-Approval header once approved")
            String approvalId,

            @Schema(description = "Where a person decides the call")
            String link,

            @Schema(description = "When the approval lapses, decided or not")
            Instant expiresAt) {}

    @ExceptionHandler(ApprovalRequired.class)
    ResponseEntity<Parked> parked(ApprovalRequired parked) {
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .header(HttpHeaders.LOCATION, parked.link().toString())
                .body(new Parked("PENDING", parked.approvalId(), parked.link().toString(), parked.expiresAt()));
    }
}
