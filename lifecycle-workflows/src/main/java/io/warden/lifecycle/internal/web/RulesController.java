package io.warden.lifecycle.internal.web;

import io.warden.lifecycle.LifecycleRule;
import io.warden.lifecycle.internal.LifecycleRules;
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
@RestController
@RequestMapping(path = "/api/v1/lifecycle-rules", produces = "application/json")
class RulesController {

    record RuleUpdate(@NotNull Boolean enabled, @NotNull Map<String, Object> parameters, @NotNull Long version) {
    }

    private final LifecycleRules rules;

    RulesController(LifecycleRules rules) {
        this.rules = rules;
    }

    @GetMapping
    List<LifecycleRule> list() {
        return rules.rules();
    }

    @GetMapping("/{key}")
    LifecycleRule get(@PathVariable String key) {
        return rules.rule(key);
    }

    @PutMapping(path = "/{key}", consumes = "application/json")
    LifecycleRule update(@PathVariable String key, @Valid @RequestBody RuleUpdate update, Actor actor) {
        return rules.update(key, update.enabled(), update.parameters(), update.version(), actor.id());
    }

    @PostMapping("/sweep")
    LifecycleRules.Sweep sweep() {
        return rules.sweepNow();
    }
}
