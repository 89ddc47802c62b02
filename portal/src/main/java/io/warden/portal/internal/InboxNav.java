package io.warden.portal.internal;

import io.warden.lifecycle.NoticeBoard;
import io.warden.registry.Actor;
import io.warden.registry.ActorType;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * The header's link to the inbox with the person's unread notifications. Pages rendered by GET only: a form post
 * redirects and renders nothing, so it need not count.
 */
@ControllerAdvice(basePackageClasses = InboxNav.class)
class InboxNav {

    private final NoticeBoard notices;

    InboxNav(NoticeBoard notices) {
        this.notices = notices;
    }

    @ModelAttribute
    void unread(Actor actor, HttpServletRequest request, Model model) {
        if (!request.getMethod().equals("GET") || actor.type() != ActorType.PERSON) {
            return;
        }
        model.addAttribute("inboxUnread", notices.unread(actor));
    }
}
