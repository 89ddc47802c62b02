package io.warden.lifecycle.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.lifecycle.BreakGlassOversight;
import io.warden.lifecycle.BreakGlassReview;
import io.warden.registry.Actor;
import io.warden.registry.RegistryException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The reviews of emergency accesses (break-the-glass): compliance, security operations and admins list them (those
 * waiting first); compliance records findings, and security operations too once a review is overdue.
 */
@Tag(name = "Break-the-glass reviews")
@RestController
@RequestMapping(path = "/api/v1/break-glass-reviews", produces = "application/json")
class BreakGlassReviewController {

    record FindingRequest(
            @NotNull BreakGlassReview.Finding finding,
            @NotBlank @Size(max = 2000) String note) {}

    record Reviews(List<BreakGlassReview> items) {}

    private final BreakGlassOversight oversight;

    BreakGlassReviewController(BreakGlassOversight oversight) {
        this.oversight = oversight;
    }

    @Operation(operationId = "listBreakGlassReviews", summary = "Break-the-glass reviews, those waiting first")
    @ApiResponse(responseCode = "200", description = "The reviews (at most 500)", useReturnTypeSchema = true)
    @GetMapping
    Reviews list() {
        return new Reviews(oversight.reviews());
    }

    @Operation(operationId = "reviewBreakGlass", summary = "Record the finding of a break-the-glass review")
    @ApiResponse(responseCode = "200", description = "Recorded; the review's process ends", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", ref = "BadRequest")
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/{id}", consumes = "application/json")
    BreakGlassReview review(@PathVariable String id, @Valid @RequestBody FindingRequest request, Actor actor) {
        return oversight.review(reviewId(id), request.finding(), request.note(), actor);
    }

    private static UUID reviewId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new RegistryException.InvalidField("id", "Not a break-glass review id: " + id);
        }
    }
}
