package io.warden.portal.internal;

import io.warden.policy.CallApproval;
import io.warden.policy.CallApprovalDesk;
import io.warden.policy.CallApprovalRefused;
import io.warden.registry.Actor;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.ToolView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The approver's inbox (the calls this person may see, those waiting for a decision first) and the page an approval
 * link opens: the exact arguments of one parked call, who made it and for whom, and the
 * approve and deny forms. It shows the call only to who may see it (the desk's rule: compliance for PHI, else admins
 * and compliance); to anyone else it reads as not found, so a link passed around discloses nothing.
 */
@Controller
@RequestMapping("/portal/approvals/calls")
class CallApprovalPagesController {

    static final int INBOX_SIZE = 100;

    /**
     * One inbox line, named as people know it: the agent, person, tool and data scope by display name (a scope or
     * tool removed since reads as its key), the age and what is left of its time.
     */
    record InboxLine(
            CallApproval call,
            String toolName,
            String scopeName,
            String age,
            String expiry,
            boolean yours,
            String decider) {}

    private final CallApprovalDesk desk;
    private final CatalogQueries catalog;
    private final Directory directory;
    private final Clock clock;

    CallApprovalPagesController(CallApprovalDesk desk, CatalogQueries catalog, Directory directory, Clock clock) {
        this.desk = desk;
        this.catalog = catalog;
        this.directory = directory;
        this.clock = clock;
    }

    /** The desk decides what this person may see (PHI calls only to compliance), as over the API. */
    @GetMapping
    String inbox(Actor actor, Model model) {
        Map<String, String> scopes = new HashMap<>();
        for (DataScopeView scope : catalog.dataScopes()) {
            scopes.put(scope.key(), scope.displayName());
        }
        Map<String, String> tools = new HashMap<>();
        for (ToolView tool : catalog.tools()) {
            tools.put(tool.key(), tool.displayName());
        }
        Instant now = clock.instant();
        List<InboxLine> pending = new ArrayList<>();
        List<InboxLine> decided = new ArrayList<>();
        for (CallApproval call : desk.calls(actor, INBOX_SIZE)) {
            InboxLine line = new InboxLine(
                    call,
                    tools.getOrDefault(call.tool(), call.tool()),
                    scopes.getOrDefault(call.dataset(), call.dataset()),
                    ago(Duration.between(call.createdAt(), now)),
                    expiry(call, now),
                    call.cannotDecide() == null,
                    decider(call));
            (call.state().equals("PENDING") ? pending : decided).add(line);
        }
        model.addAttribute("actor", actor);
        model.addAttribute("pending", pending);
        model.addAttribute("decided", decided);
        return "portal/call-approvals";
    }

    private String decider(CallApproval call) {
        String id = call.decidedBy();
        return id == null
                ? ""
                : directory.findUser(id).map(DirectoryUser::displayName).orElse(id);
    }

    private static String expiry(CallApproval call, Instant now) {
        if (!call.state().equals("PENDING") && !call.state().equals("APPROVED")) {
            return "";
        }
        Duration left = Duration.between(now, call.expiresAt());
        return left.isNegative() || left.isZero() ? "expired" : "expires in " + span(left);
    }

    private static String ago(Duration age) {
        return age.isNegative() ? "just now" : span(age) + " ago";
    }

    private static String span(Duration duration) {
        if (duration.toMinutes() < 1) {
            return duration.toSeconds() + " s";
        }
        if (duration.toHours() < 1) {
            return duration.toMinutes() + " min";
        }
        if (duration.toDays() < 1) {
            return duration.toHours() + " h " + duration.toMinutesPart() + " min";
        }
        return duration.toDays() + " d";
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
