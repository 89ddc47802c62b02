package io.warden.portal.internal;

import io.warden.audit.AuditAnalytics;
import io.warden.registry.Actor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * Agent analytics from the audit trail: calls, denials and median latency per agent and tool over the last
 * hours, as a chart of totals per hour and as a table (the table says everything the chart does).
 */
@Controller
@RequestMapping("/portal/analytics")
class AnalyticsController {

    /** Totals of one hour, for the chart. */
    record Point(Instant hour, long calls, long denials) {}

    /** One agent's use of one tool over the whole window. */
    private static @Nullable Long slower(@Nullable Long a, @Nullable Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(Math.max(a, b));
    }

    record Usage(
            String agentId,
            String tool,
            long calls,
            long denials,
            @Nullable Long p50LatencyMicros) {}

    private final AuditAnalytics analytics;
    private final Clock clock;

    AnalyticsController(AuditAnalytics analytics, Clock clock) {
        this.analytics = analytics;
        this.clock = clock;
    }

    @GetMapping
    String page(Actor actor, @RequestParam(defaultValue = "24") int hours, Model model) {
        int window = Math.clamp(hours, 1, 24 * 31);
        Map<String, Usage> usage = new TreeMap<>();
        for (AuditAnalytics.Activity row : activity(window)) {
            String tool = row.tool() == null ? "-" : row.tool();
            usage.merge(
                    row.agentId() + "\u0000" + tool,
                    new Usage(row.agentId(), tool, row.calls(), row.denials(), row.p50LatencyMicros()),
                    (a, b) -> new Usage(
                            a.agentId(),
                            a.tool(),
                            a.calls() + b.calls(),
                            a.denials() + b.denials(),
                            slower(a.p50LatencyMicros(), b.p50LatencyMicros())));
        }
        model.addAttribute("actor", actor);
        model.addAttribute("hours", window);
        model.addAttribute("usage", List.copyOf(usage.values()));
        return "portal/analytics";
    }

    @GetMapping(path = "/series", produces = "application/json")
    @ResponseBody
    List<Point> series(@RequestParam(defaultValue = "24") int hours) {
        Map<Instant, long[]> totals = new TreeMap<>();
        for (AuditAnalytics.Activity row : activity(Math.clamp(hours, 1, 24 * 31))) {
            long[] sums = totals.computeIfAbsent(row.bucket(), b -> new long[2]);
            sums[0] += row.calls();
            sums[1] += row.denials();
        }
        List<Point> points = new ArrayList<>();
        totals.forEach((hour, sums) -> points.add(new Point(hour, sums[0], sums[1])));
        return points;
    }

    private List<AuditAnalytics.Activity> activity(int hours) {
        return analytics.activity(clock.instant().minus(Duration.ofHours(hours)), Duration.ofHours(1));
    }
}
