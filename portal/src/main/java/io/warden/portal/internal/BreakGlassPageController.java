package io.warden.portal.internal;

import io.warden.lifecycle.BreakGlassOversight;
import io.warden.lifecycle.BreakGlassReview;
import io.warden.lifecycle.WorkflowRefused;
import io.warden.registry.Actor;
import io.warden.registry.Role;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Break-the-glass reviews: every emergency access by agent and person name, those waiting for a finding first, with
 * the form that records it (compliance; security operations once a review is overdue), through the same use case as
 * the API, which audits it and enforces who may.
 */
@Controller
@RequestMapping("/portal/break-glass")
class BreakGlassPageController {

    static final int MAX_NOTE = 2000;

    private final BreakGlassOversight oversight;

    BreakGlassPageController(BreakGlassOversight oversight) {
        this.oversight = oversight;
    }

    @GetMapping
    String page(Actor actor, Model model) {
        model.addAttribute("actor", actor);
        model.addAttribute("compliance", actor.has(Role.COMPLIANCE));
        model.addAttribute("secops", actor.has(Role.SECOPS));
        model.addAttribute("reviews", oversight.reviews());
        model.addAttribute("findings", BreakGlassReview.Finding.values());
        return "portal/break-glass";
    }

    @PostMapping("/{id}")
    String review(
            @PathVariable UUID id,
            @RequestParam(required = false) BreakGlassReview.Finding finding,
            @RequestParam(defaultValue = "") String note,
            Actor actor,
            RedirectAttributes flash) {
        if (finding == null || note.isBlank() || note.length() > MAX_NOTE) {
            flash.addFlashAttribute(
                    "problem", "Choose a finding and write a note (at most " + MAX_NOTE + " characters).");
            return "redirect:/portal/break-glass";
        }
        try {
            BreakGlassReview reviewed = oversight.review(id, finding, note.strip(), actor);
            flash.addFlashAttribute(
                    "message",
                    "Recorded: " + reviewed.agentName() + "'s emergency access for "
                            + (reviewed.personName() == null ? reviewed.personId() : reviewed.personName()) + " was "
                            + (finding == BreakGlassReview.Finding.JUSTIFIED ? "justified." : "not justified."));
        } catch (WorkflowRefused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/portal/break-glass";
    }
}
