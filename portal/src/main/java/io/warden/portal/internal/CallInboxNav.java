package io.warden.portal.internal;

import io.warden.policy.CallApprovalDesk;
import io.warden.registry.Actor;
import io.warden.registry.Role;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * The layout's link to the call-approval inbox, with how many calls wait for this person: only administrators and
 * compliance officers decide calls, so only they see it. Pages rendered by GET only: a form post redirects and renders
 * nothing.
 */
@ControllerAdvice(basePackageClasses = CallInboxNav.class)
class CallInboxNav {

    private final CallApprovalDesk desk;

    CallInboxNav(CallApprovalDesk desk) {
        this.desk = desk;
    }

    @ModelAttribute
    void callsWaiting(Actor actor, HttpServletRequest request, Model model) {
        if (!request.getMethod().equals("GET") || !(actor.has(Role.ADMIN) || actor.has(Role.COMPLIANCE))) {
            return;
        }
        model.addAttribute("callsWaiting", desk.waiting(actor));
    }
}
