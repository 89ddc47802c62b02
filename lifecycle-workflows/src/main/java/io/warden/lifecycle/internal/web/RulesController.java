package io.warden.lifecycle.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.lifecycle.LifecycleRule;
import io.warden.lifecycle.LifecycleRuleBook;
import io.warden.registry.Actor;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The lifecycle rules under {@code /api/v1/lifecycle-rules}: people read them, admins switch them and set
 * their parameters (with the version they read), and may sweep now instead of waiting for the schedule.
 */
@Tag(
        name = "Lifecycle rules",
        description =
                "The if-this-then-that rules evaluated on a schedule: dormancy, orphaned owners, recertification, risk signals")
@RestController
@RequestMapping(path = "/api/v1/lifecycle-rules", produces = "application/json")
class RulesController {

    record RuleUpdate(
            @NotNull Boolean enabled,
            @NotNull Map<String, Object> parameters,
            @NotNull Long version) {}

    private final LifecycleRuleBook rules;

    RulesController(LifecycleRuleBook rules) {
        this.rules = rules;
    }

    @Operation(operationId = "listLifecycleRules", summary = "List the lifecycle rules")
    @GetMapping
    List<LifecycleRule> list() {
        return rules.rules();
    }

    @Operation(operationId = "getLifecycleRule", summary = "Read a lifecycle rule")
    @ApiResponse(responseCode = "200", description = "The rule", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{key}")
    LifecycleRule get(@PathVariable String key) {
        return rules.rule(key);
    }

    @Operation(
            operationId = "updateLifecycleRule",
            summary = "Switch a rule and set its parameters from the version read")
    @ApiResponse(responseCode = "200", description = "The rule as updated", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PutMapping(path = "/{key}", consumes = "application/json")
    LifecycleRule update(@PathVariable String key, @Valid @RequestBody RuleUpdate update, Actor actor) {
        return rules.update(key, update.enabled(), update.parameters(), update.version(), actor.id());
    }

    @Operation(
            operationId = "sweepLifecycleRules",
            summary = "Evaluate the enabled rules now instead of waiting for the schedule")
    @PostMapping("/sweep")
    LifecycleRuleBook.Sweep sweep() {
        return rules.sweepNow();
    }
}
