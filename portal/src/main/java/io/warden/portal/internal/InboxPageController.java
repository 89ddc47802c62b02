package io.warden.portal.internal;

import io.warden.lifecycle.BreakGlassOversight;
import io.warden.lifecycle.BreakGlassReview;
import io.warden.lifecycle.Notice;
import io.warden.lifecycle.NoticeBoard;
import io.warden.policy.CallApproval;
import io.warden.policy.CallApprovalDesk;
import io.warden.registry.Actor;
import io.warden.registry.AgentFilter;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.ApprovalQueries;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.ApprovalView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A person's inbox: what waits for them to act (registrations and changes to decide, parked calls, break-the-glass
 * reviews, recertifications due, grace deadlines, orphaned agents to adopt) and their notifications, each read
 * through the same services and rules as the API, so nobody sees an item they could not act on there. Marking read
 * touches only the person's own notices.
 */
@Controller
@RequestMapping("/portal/inbox")
class InboxPageController {

    // the lifecycle processes' ids, as the notices carry them
    static final String RECERTIFICATION = "agent-recertification";
    static final String RETIREMENT = "agent-retirement";
    static final String ORPHANED = "orphaned-agent";
    /** A recertification this close is shown before its process starts. */
    static final Duration RECERTIFICATION_AHEAD = Duration.ofDays(30);

    static final int LIMIT = 100;

    /** One thing to do: what, about which agent, by when, and where to do it. */
    record Task(
            String title,
            @Nullable String agentId,
            String agentName,
            @Nullable Instant dueAt,
            String link) {}

    /** One section of the inbox: its anchor, its heading and its tasks. */
    record Group(String id, String title, List<Task> tasks) {}

    private final NoticeBoard notices;
    private final ApprovalQueries approvals;
    private final CallApprovalDesk calls;
    private final BreakGlassOversight breakGlass;
    private final AgentQueries agents;
    private final Directory directory;
    private final Clock clock;

    InboxPageController(
            NoticeBoard notices,
            ApprovalQueries approvals,
            CallApprovalDesk calls,
            BreakGlassOversight breakGlass,
            AgentQueries agents,
            Directory directory,
            Clock clock) {
        this.notices = notices;
        this.approvals = approvals;
        this.calls = calls;
        this.breakGlass = breakGlass;
        this.agents = agents;
        this.directory = directory;
        this.clock = clock;
    }

    @GetMapping
    String inbox(Actor actor, Model model) {
        Instant now = clock.instant();
        List<Notice> mine = notices.notices(actor, LIMIT);
        Map<String, Optional<AgentView>> agentCache = new HashMap<>();

        List<Task> toDecide = new ArrayList<>();
        if (actor.has(Role.ADMIN) || actor.has(Role.COMPLIANCE)) {
            for (ApprovalView approval :
                    approvals.approvals(ApprovalStatus.PENDING, null, 0, LIMIT).items()) {
                if (mayDecide(actor, approval)) {
                    toDecide.add(new Task(
                            (approval.kind().name().equals("REGISTRATION") ? "Registration" : "Change")
                                    + " requested by " + name(approval.requestedBy()),
                            approval.agentId().toString(),
                            agentName(approval.agentId().toString(), agentCache),
                            null,
                            "/portal/approvals"));
                }
            }
        }

        List<Task> callTasks = new ArrayList<>();
        if (actor.has(Role.ADMIN) || actor.has(Role.COMPLIANCE)) {
            for (CallApproval call : calls.calls(actor, LIMIT)) {
                if (call.state().equals("PENDING")
                        && call.cannotDecide() == null
                        && call.expiresAt().isAfter(now)) {
                    callTasks.add(new Task(
                            call.tool() + " on " + call.dataset()
                                    + (call.personName() == null ? "" : " for " + call.personName()),
                            call.agentId(),
                            call.agentName(),
                            call.expiresAt(),
                            "/portal/approvals/calls/" + call.id()));
                }
            }
        }

        List<Task> reviews = new ArrayList<>();
        if (actor.has(Role.COMPLIANCE) || actor.has(Role.SECOPS)) {
            for (BreakGlassReview review : breakGlass.reviews()) {
                boolean open = review.status() == BreakGlassReview.Status.OPEN && actor.has(Role.COMPLIANCE);
                boolean escalated = review.status() == BreakGlassReview.Status.ESCALATED;
                if ((open || escalated) && !review.personId().equals(actor.id())) {
                    reviews.add(new Task(
                            "Emergency access by " + review.agentName() + " for "
                                    + (review.personName() == null ? review.personId() : review.personName()),
                            review.agentId(),
                            review.agentName(),
                            review.dueAt(),
                            "/portal/break-glass"));
                }
            }
        }

        List<Task> recertifications = new ArrayList<>();
        Set<String> recertifying = new HashSet<>();
        for (AgentView agent : agents.search(
                        new AgentFilter(AgentStatus.ACTIVE, null, actor.id(), null, null), 0, LIMIT)
                .items()) {
            if (agent.recertifyBy() != null && agent.recertifyBy().isBefore(now.plus(RECERTIFICATION_AHEAD))) {
                recertifying.add(agent.id().toString());
                recertifications.add(new Task(
                        "Attest that " + agent.name() + " is still needed",
                        agent.id().toString(),
                        agent.name(),
                        agent.recertifyBy(),
                        "/portal/agents/" + agent.id()));
            }
        }

        List<Task> graceDeadlines = new ArrayList<>();
        List<Task> orphans = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Notice notice : mine) {
            if (notice.dueAt() == null
                    || notice.agentId() == null
                    || notice.process() == null
                    || !notice.dueAt().isAfter(now)
                    || !seen.add(notice.process() + notice.agentId())) {
                continue;
            }
            Optional<AgentView> agent = agent(notice.agentId(), agentCache);
            if (agent.isEmpty() || agent.get().status() == AgentStatus.RETIRED) {
                continue;
            }
            AgentView view = agent.get();
            switch (notice.process()) {
                case RECERTIFICATION -> {
                    if (recertifying.add(view.id().toString())) {
                        recertifications.add(new Task(
                                "Attest that " + view.name() + " is still needed",
                                notice.agentId(),
                                view.name(),
                                notice.dueAt(),
                                "/portal/agents/" + view.id()));
                    }
                }
                case RETIREMENT ->
                    graceDeadlines.add(new Task(
                            "Keep " + view.name() + " or it is retired",
                            notice.agentId(),
                            view.name(),
                            notice.dueAt(),
                            "/portal/agents/" + view.id()));
                case ORPHANED -> {
                    if (directory.findUser(view.ownerId()).map(u -> !u.active()).orElse(true)) {
                        orphans.add(new Task(
                                "Name a new owner for " + view.name() + " (was " + name(view.ownerId()) + ")",
                                notice.agentId(),
                                view.name(),
                                notice.dueAt(),
                                "/portal/agents/" + view.id()));
                    }
                }
                default -> {}
            }
        }
        Comparator<Task> byDue = Comparator.comparing(Task::dueAt, Comparator.nullsLast(Comparator.naturalOrder()));
        recertifications.sort(byDue);
        graceDeadlines.sort(byDue);
        orphans.sort(byDue);

        model.addAttribute("actor", actor);
        model.addAttribute(
                "groups",
                List.of(
                        new Group("to-decide", "Approvals to decide", toDecide),
                        new Group("calls", "Calls waiting for approval", callTasks),
                        new Group("reviews", "Break-the-glass reviews", reviews),
                        new Group("recertifications", "Recertifications due", recertifications),
                        new Group("grace", "Grace deadlines", graceDeadlines),
                        new Group("orphans", "Orphaned agents to adopt", orphans)));
        model.addAttribute("notices", mine);
        model.addAttribute(
                "waiting",
                toDecide.size()
                        + callTasks.size()
                        + reviews.size()
                        + recertifications.size()
                        + graceDeadlines.size()
                        + orphans.size());
        return "portal/inbox";
    }

    /** Marks the chosen notices read (or all of them); ids not addressed to this person change nothing. */
    @PostMapping("/read")
    String markRead(
            @RequestParam(name = "id", required = false) @Nullable List<String> ids,
            @RequestParam(defaultValue = "false") boolean all,
            Actor actor,
            RedirectAttributes flash) {
        int marked;
        if (all) {
            marked = notices.markAllRead(actor);
        } else {
            List<UUID> parsed = new ArrayList<>();
            for (String id : ids == null ? List.<String>of() : ids) {
                try {
                    parsed.add(UUID.fromString(id));
                } catch (IllegalArgumentException e) {
                    flash.addFlashAttribute("problem", "id: not a notification id.");
                    return "redirect:/portal/inbox";
                }
            }
            if (parsed.isEmpty() || parsed.size() > LIMIT) {
                flash.addFlashAttribute("problem", "id: choose between 1 and " + LIMIT + " notifications.");
                return "redirect:/portal/inbox";
            }
            marked = notices.markRead(actor, parsed);
        }
        flash.addFlashAttribute(
                "message", marked == 1 ? "Marked 1 notification read." : "Marked " + marked + " notifications read.");
        return "redirect:/portal/inbox";
    }

    /** The registry's rule: never the requester nor an owner since the request; compliance where it must decide. */
    static boolean mayDecide(Actor actor, ApprovalView approval) {
        if (approval.requestedBy().equals(actor.id())
                || approval.ownersSinceRequest().contains(actor.id())) {
            return false;
        }
        return approval.requiresCompliance()
                ? actor.has(Role.COMPLIANCE)
                : actor.has(Role.ADMIN) || actor.has(Role.COMPLIANCE);
    }

    private String name(String personId) {
        return directory.findUser(personId).map(DirectoryUser::displayName).orElse(personId);
    }

    private Optional<AgentView> agent(String id, Map<String, Optional<AgentView>> cache) {
        return cache.computeIfAbsent(id, key -> {
            try {
                return agents.findAgent(AgentId.of(key));
            } catch (IllegalArgumentException e) {
                return Optional.empty(); // not an agent id (a notice about something else)
            }
        });
    }

    private String agentName(String id, Map<String, Optional<AgentView>> cache) {
        return agent(id, cache).map(AgentView::name).orElse("an agent no longer registered");
    }
}
