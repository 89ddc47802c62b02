package io.warden.portal.internal;

import io.warden.lifecycle.LifecycleRule;
import io.warden.lifecycle.LifecycleRuleBook;
import io.warden.lifecycle.WorkflowRefused;
import io.warden.registry.Actor;
import io.warden.registry.Role;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The lifecycle rules: everyone reads them; admins switch them and set dormancy days, the recertification period and risk thresholds. */
@Controller
@RequestMapping("/portal/rules")
class RulesPageController {

    private final LifecycleRuleBook rules;

    RulesPageController(LifecycleRuleBook rules) {
        this.rules = rules;
    }

    @GetMapping
    String rules(Actor actor, Model model) {
        model.addAttribute("actor", actor);
        model.addAttribute("rules", rules.rules());
        model.addAttribute("canEdit", actor.has(Role.ADMIN));
        return "portal/rules";
    }

    @PostMapping("/{key}")
    String update(
            @PathVariable String key,
            @RequestParam long version,
            @RequestParam(defaultValue = "false") boolean enabled,
            @RequestParam(required = false) @Nullable Integer days,
            @RequestParam(required = false) @Nullable Integer denials,
            @RequestParam(required = false) @Nullable String window,
            @RequestParam(required = false) @Nullable Integer periodDays,
            Actor actor,
            RedirectAttributes flash) {
        try {
            LifecycleRule current = rules.rule(key);
            Map<String, Object> parameters = new LinkedHashMap<>();
            switch (current.kind()) {
                case DORMANT -> parameters.put("days", days);
                case RISK_SIGNAL -> {
                    parameters.put("denials", denials);
                    parameters.put("window", window);
                }
                case RECERTIFICATION_DUE -> parameters.put("periodDays", periodDays);
                case OWNER_INACTIVE -> {}
            }
            rules.update(key, enabled, parameters, version, actor.id());
            flash.addFlashAttribute("message", "Saved " + key + ".");
        } catch (WorkflowRefused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/portal/rules";
    }
}
