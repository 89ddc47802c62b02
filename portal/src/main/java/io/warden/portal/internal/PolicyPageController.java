package io.warden.portal.internal;

import io.warden.policy.PolicyCandidate;
import io.warden.policy.PolicyData;
import io.warden.policy.PolicySimulations;
import io.warden.policy.PolicyVersions;
import io.warden.policy.SimulationRefused;
import io.warden.policy.SimulationReport;
import io.warden.registry.Actor;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.Role;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The policy's rules as admins tune them, version by version, and what-if replay beside each change: a version's change
 * replayed against the decisions recorded before it went live, or a change not yet made (one data scope's purposes,
 * de-identification, label or approval; one tool's maximum k) replayed against the recent decisions, before anyone
 * edits the registry. Data scopes, tools and agents are shown by name. Runs the same use case as
 * {@code POST /api/v1/policy/simulations} (ADMIN and COMPLIANCE), which audits every simulation.
 */
@Controller
@RequestMapping("/portal/policy")
class PolicyPageController {

    /** The ranges a simulation from this page replays, in days. */
    static final List<Integer> RANGES = List.of(1, 7, 30, 90);

    static final int MAX_DESCRIPTION = 500;
    private static final int PAGE = 20;

    /** One data scope as the page shows it: its name and its rules in this version. */
    record ScopeRow(String key, String name, PolicyData.ScopeRules rules) {}

    /** One tool as the page shows it. */
    record ToolRow(String key, String name, PolicyData.ToolRules rules) {}

    /** One version, its change named in words. */
    record VersionRow(long version, Instant recordedAt, List<String> changes) {}

    /** A report with the question it answers. */
    record Shown(String question, SimulationReport report, Map<String, String> scopeNames) {}

    private final PolicyVersions versions;
    private final PolicySimulations simulations;
    private final CatalogQueries catalog;
    private final Clock clock;

    PolicyPageController(PolicyVersions versions, PolicySimulations simulations, CatalogQueries catalog, Clock clock) {
        this.versions = versions;
        this.simulations = simulations;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * The rules, the versions, and the form to try a change: with {@code scope} or {@code tool}, the form is that data
     * scope's or tool's, filled in with its current rules.
     */
    @GetMapping
    String page(
            @RequestParam(required = false) @Nullable Long before,
            @RequestParam(defaultValue = "") String scope,
            @RequestParam(defaultValue = "") String tool,
            Actor actor,
            Model model) {
        PolicyData current = versions.current();
        PolicyData.ScopeRules scopeRules = current.dataScopes().get(scope);
        PolicyData.ToolRules toolRules = current.tools().get(tool);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("days", "30");
        if (scopeRules != null) {
            form.put("scope", scope);
            form.put("scopeName", scopeName(scope));
            form.put("sensitivity", scopeRules.sensitivity().name());
            form.put("approvalRequired", scopeRules.approvalRequired() ? "yes" : "no");
            model.addAttribute("formPurposes", names(scopeRules.allowedPurposes()));
            model.addAttribute("formDeidentify", names(scopeRules.deidentifyFor()));
        }
        if (toolRules != null) {
            form.put("tool", tool);
            form.put("toolName", toolName(tool));
            form.put("maxK", Integer.toString(toolRules.maxK()));
        }
        model.addAttribute("form", form);
        return render(actor, model, before);
    }

    private static List<String> names(Set<PurposeOfUse> purposes) {
        return purposes.stream().map(Enum::name).sorted().toList();
    }

    /** A change not yet made, tried against the recent decisions. */
    @PostMapping("/simulations")
    String simulate(
            @RequestParam(defaultValue = "") String scope,
            @RequestParam(required = false) @Nullable List<String> allowedPurposes,
            @RequestParam(required = false) @Nullable List<String> deidentifyFor,
            @RequestParam(defaultValue = "") String sensitivity,
            @RequestParam(defaultValue = "") String approvalRequired,
            @RequestParam(defaultValue = "") String tool,
            @RequestParam(defaultValue = "") String maxK,
            @RequestParam(defaultValue = "30") String days,
            @RequestParam(defaultValue = "") String description,
            Actor actor,
            Model model) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("scope", scope);
        form.put("scopeName", scope.isBlank() ? "" : scopeName(scope));
        form.put("tool", tool);
        form.put("toolName", tool.isBlank() ? "" : toolName(tool));
        form.put("maxK", maxK);
        form.put("days", days);
        form.put("description", description);
        form.put("sensitivity", sensitivity);
        form.put("approvalRequired", approvalRequired);
        model.addAttribute("form", form);
        model.addAttribute("formPurposes", allowedPurposes == null ? List.of() : allowedPurposes);
        model.addAttribute("formDeidentify", deidentifyFor == null ? List.of() : deidentifyFor);
        try {
            int range = range(days);
            if (description.length() > MAX_DESCRIPTION) {
                throw SimulationRefused.invalid("description", "Say why in at most " + MAX_DESCRIPTION + " characters");
            }
            Map<String, PolicyCandidate.ScopePatch> scopes = new LinkedHashMap<>();
            Map<String, PolicyCandidate.ToolPatch> tools = new LinkedHashMap<>();
            List<String> asked = new ArrayList<>();
            if (!scope.isBlank()) {
                scopes.put(
                        scope,
                        new PolicyCandidate.ScopePatch(
                                // the form shows every purpose ticked or not: none ticked is none served
                                purposes(allowedPurposes, "allowedPurposes"),
                                purposes(deidentifyFor, "deidentifyFor"),
                                sensitivity.isBlank() ? null : label(sensitivity),
                                null,
                                null,
                                approvalRequired.isBlank() ? null : Boolean.valueOf("yes".equals(approvalRequired))));
                asked.add(scopeName(scope));
            }
            if (!tool.isBlank()) {
                tools.put(tool, new PolicyCandidate.ToolPatch(maxK(maxK), null, null, null));
                asked.add(toolName(tool));
            }
            if (asked.isEmpty()) {
                throw SimulationRefused.invalid("scope", "Choose a data scope or a tool to change");
            }
            Instant now = clock.instant();
            SimulationReport report = simulations.simulate(new PolicySimulations.Simulation(
                    now.minus(Duration.ofDays(range)),
                    now,
                    new PolicyCandidate(scopes, tools),
                    3,
                    description.isBlank() ? "From the portal" : description.strip(),
                    actor.id()));
            model.addAttribute(
                    "shown",
                    new Shown(
                            "The change to " + String.join(" and ", asked) + ", replayed against the last " + range
                                    + (range == 1 ? " day" : " days") + " of decisions",
                            report,
                            scopeNames()));
        } catch (SimulationRefused refused) {
            model.addAttribute("problem", refused.getMessage());
            model.addAttribute("problemField", refused.field());
        }
        return render(actor, model, null);
    }

    /** A change already made: that version's rules replayed against the decisions recorded before it. */
    @PostMapping("/versions/{version}/replay")
    String replay(
            @PathVariable long version, @RequestParam(defaultValue = "30") String days, Actor actor, Model model) {
        try {
            int range = range(days);
            PolicyData after = versions.version(version)
                    .orElseThrow(() -> SimulationRefused.invalid("version", "No policy version " + version));
            Optional<PolicyData> previous = previous(version);
            PolicyCandidate candidate = changeOf(after, previous.orElse(null));
            if (candidate.dataScopes().isEmpty() && candidate.tools().isEmpty()) {
                throw SimulationRefused.invalid(
                        "version", "Version " + version + " changed no rule that still exists to replay");
            }
            SimulationReport report = simulations.simulate(new PolicySimulations.Simulation(
                    after.recordedAt().minus(Duration.ofDays(range)),
                    after.recordedAt(),
                    candidate,
                    3,
                    "Replay of policy version " + version + " from the portal",
                    actor.id()));
            model.addAttribute(
                    "shown",
                    new Shown(
                            "Version " + version + "'s change, replayed against the " + range
                                    + (range == 1 ? " day" : " days") + " of decisions before it",
                            report,
                            scopeNames()));
        } catch (SimulationRefused refused) {
            model.addAttribute("problem", refused.getMessage());
        }
        return render(actor, model, null);
    }

    private String render(Actor actor, Model model, @Nullable Long before) {
        PolicyData current = versions.current();
        Map<String, String> scopeNames = scopeNames();
        Map<String, String> toolNames = toolNames();
        model.addAttribute("actor", actor);
        model.addAttribute("canSimulate", actor.has(Role.ADMIN) || actor.has(Role.COMPLIANCE));
        model.addAttribute("current", current);
        model.addAttribute(
                "scopes",
                current.dataScopes().entrySet().stream()
                        .map(e ->
                                new ScopeRow(e.getKey(), scopeNames.getOrDefault(e.getKey(), e.getKey()), e.getValue()))
                        .sorted((a, b) -> a.name().compareToIgnoreCase(b.name()))
                        .toList());
        model.addAttribute(
                "tools",
                current.tools().entrySet().stream()
                        .map(e -> new ToolRow(e.getKey(), toolNames.getOrDefault(e.getKey(), e.getKey()), e.getValue()))
                        .sorted((a, b) -> a.name().compareToIgnoreCase(b.name()))
                        .toList());
        PolicyVersions.Page page = versions.page(before, PAGE);
        model.addAttribute(
                "versions",
                page.items().stream()
                        .map(v ->
                                new VersionRow(v.version(), v.recordedAt(), words(v.changes(), scopeNames, toolNames)))
                        .toList());
        model.addAttribute("nextBefore", page.nextBefore());
        model.addAttribute("purposes", PurposeOfUse.values());
        model.addAttribute("labels", SensitivityLabel.values());
        model.addAttribute("ranges", RANGES);
        if (!model.containsAttribute("form")) {
            model.addAttribute("form", Map.of("days", "30"));
        }
        if (!model.containsAttribute("formPurposes")) {
            model.addAttribute("formPurposes", List.of());
            model.addAttribute("formDeidentify", List.of());
        }
        return "portal/policy";
    }

    /** The version before {@code version}: the newest one numbered below it. */
    private Optional<PolicyData> previous(long version) {
        var older = versions.page(version, 1).items();
        return older.isEmpty()
                ? Optional.empty()
                : versions.version(older.getFirst().version());
    }

    /**
     * The change a version made, as a candidate over today's rules: every scope and tool whose rules differ from the
     * version before, with that version's rules. One removed since cannot be tried, and is left out.
     */
    private PolicyCandidate changeOf(PolicyData after, @Nullable PolicyData before) {
        PolicyData current = versions.current();
        Map<String, PolicyCandidate.ScopePatch> scopes = new LinkedHashMap<>();
        after.dataScopes().forEach((key, rules) -> {
            if (current.dataScopes().containsKey(key)
                    && (before == null || !rules.equals(before.dataScopes().get(key)))) {
                scopes.put(
                        key,
                        new PolicyCandidate.ScopePatch(
                                List.copyOf(new TreeSet<>(rules.allowedPurposes())),
                                List.copyOf(new TreeSet<>(rules.deidentifyFor())),
                                rules.sensitivity(),
                                rules.phi(),
                                rules.deidentified(),
                                rules.approvalRequired()));
            }
        });
        Map<String, PolicyCandidate.ToolPatch> tools = new LinkedHashMap<>();
        after.tools().forEach((key, rules) -> {
            if (current.tools().containsKey(key)
                    && (before == null || !rules.equals(before.tools().get(key)))) {
                tools.put(
                        key,
                        new PolicyCandidate.ToolPatch(
                                rules.maxK(),
                                List.copyOf(new TreeSet<>(rules.requiredScopes())),
                                rules.sensitivity(),
                                rules.approvalRequired()));
            }
        });
        return new PolicyCandidate(scopes, tools);
    }

    private static List<String> words(
            PolicyVersions.Changes changes, Map<String, String> scopeNames, Map<String, String> toolNames) {
        List<String> words = new ArrayList<>();
        named("Data scope added", changes.scopesAdded(), scopeNames, words);
        named("Data scope changed", changes.scopesChanged(), scopeNames, words);
        named("Data scope removed", changes.scopesRemoved(), scopeNames, words);
        named("Tool added", changes.toolsAdded(), toolNames, words);
        named("Tool changed", changes.toolsChanged(), toolNames, words);
        named("Tool removed", changes.toolsRemoved(), toolNames, words);
        return words;
    }

    private static void named(String what, List<String> keys, Map<String, String> names, List<String> into) {
        if (!keys.isEmpty()) {
            into.add(what + ": "
                    + keys.stream().map(k -> names.getOrDefault(k, k)).collect(Collectors.joining(", ")));
        }
    }

    private Map<String, String> scopeNames() {
        return catalog.dataScopes().stream()
                .collect(Collectors.toMap(DataScopeView::key, DataScopeView::displayName, (a, b) -> a));
    }

    private Map<String, String> toolNames() {
        return catalog.tools().stream().collect(Collectors.toMap(ToolView::key, ToolView::displayName, (a, b) -> a));
    }

    private String scopeName(String key) {
        return scopeNames().getOrDefault(key, key);
    }

    private String toolName(String key) {
        return toolNames().getOrDefault(key, key);
    }

    private static int range(String days) {
        try {
            int parsed = Integer.parseInt(days.strip());
            if (RANGES.contains(parsed)) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw SimulationRefused.invalid("days", "Replay the last 1, 7, 30 or 90 days");
    }

    private static List<PurposeOfUse> purposes(@Nullable List<String> codes, String field) {
        if (codes == null) {
            return List.of();
        }
        Set<PurposeOfUse> purposes = new TreeSet<>();
        for (String code : codes) {
            try {
                purposes.add(PurposeOfUse.valueOf(code));
            } catch (IllegalArgumentException e) {
                throw SimulationRefused.invalid(field, "Not a purpose of use: " + code);
            }
        }
        return List.copyOf(purposes);
    }

    private static SensitivityLabel label(String name) {
        try {
            return SensitivityLabel.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw SimulationRefused.invalid("sensitivity", "Not a sensitivity label: " + name);
        }
    }

    private static @Nullable Integer maxK(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw SimulationRefused.invalid(
                    "maxK", "The maximum k is a whole number from 1 to " + PolicyCandidate.MAX_K);
        }
    }
}
