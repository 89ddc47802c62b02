package io.warden.portal.internal;

import io.warden.policy.CallApproval;
import io.warden.policy.CallApprovalDesk;
import io.warden.policy.CallApprovalRefused;
import io.warden.registry.Actor;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The page an approval link opens: the exact arguments of one parked call, who made it and for whom, and the
 * approve and deny forms. It shows the call only to who may see it (the desk's rule: compliance for PHI, else admins
 * and compliance); to anyone else it reads as not found, so a link passed around discloses nothing.
 */
@Controller
@RequestMapping("/portal/approvals/calls")
class CallApprovalPagesController {

    private final CallApprovalDesk desk;

    CallApprovalPagesController(CallApprovalDesk desk) {
        this.desk = desk;
    }

    @GetMapping("/{id}")
    String call(@PathVariable String id, Actor actor, Model model) {
        CallApproval call = desk.call(id, actor); // not-found for who may not see it: the problem page answers 404
        model.addAttribute("actor", actor);
        model.addAttribute("call", call);
        return "portal/call-approval";
    }

    @PostMapping("/{id}/{decision:approve|deny}")
    String decide(
            @PathVariable String id,
            @PathVariable String decision,
            @RequestParam String reason,
            Actor actor,
            RedirectAttributes flash) {
        try {
            if (decision.equals("approve")) {
                desk.approve(id, reason, actor);
                flash.addFlashAttribute("message", "Approved: the agent may make this call once.");
            } else {
                desk.deny(id, reason, actor);
                flash.addFlashAttribute("message", "Denied.");
            }
        } catch (CallApprovalRefused e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/portal/approvals/calls/" + id;
    }
}
