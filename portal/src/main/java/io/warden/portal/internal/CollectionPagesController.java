package io.warden.portal.internal;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.Problems;
import io.warden.collections.GovernedCollections;
import io.warden.collections.GovernedCollections.Evaluation;
import io.warden.collections.GovernedCollections.EvaluationRequest;
import io.warden.collections.GovernedCollections.Overview;
import io.warden.collections.GovernedCollections.Summary;
import io.warden.collections.GovernedCollections.Version;
import io.warden.registry.Actor;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.Role;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Governed collections in the portal: the list (names and data scopes by their display names, not ids), and a
 * collection's page with its versions and their builds' progress, the items a version's build refused, its evaluations
 * with their measures and confusion matrix, and its data scope's evaluation gate; people by their directory display
 * names. Admins retire a collection, remove an item (with a reason), evaluate the current version (a seeded sample or
 * a labelled query set) and set or clear the data scope's gate here, through {@link GovernedCollections}: the API's
 * own use cases, so the same validation, refusals and audit records. Role rules are the API's (reads: ADMIN, COMPLIANCE, SECOPS; changes: ADMIN), set in the
 * portal's security chain; building from an upload stays an API action.
 */
@Controller
@RequestMapping("/portal/collections")
class CollectionPagesController {

    /** The refused items a collection's page lists at most; the API reads more. */
    static final int REJECTIONS = 100;

    private final GovernedCollections collections;
    private final CatalogQueries catalog;
    private final Directory directory;

    CollectionPagesController(GovernedCollections collections, CatalogQueries catalog, Directory directory) {
        this.collections = collections;
        this.catalog = catalog;
        this.directory = directory;
    }

    @GetMapping
    String list(Actor actor, Model model) {
        model.addAttribute("actor", actor);
        model.addAttribute("collections", collections.list());
        model.addAttribute("scopes", scopeNames());
        return "portal/collections";
    }

    @GetMapping("/{name}")
    String collection(
            @PathVariable String name,
            @RequestParam(required = false) @Nullable Long version,
            Actor actor,
            Model model) {
        Overview overview = read(name, version);
        Summary collection = overview.collection();
        model.addAttribute("actor", actor);
        model.addAttribute("overview", overview);
        model.addAttribute("c", collection);
        model.addAttribute("scopeName", scopeNames().getOrDefault(collection.dataScope(), collection.dataScope()));
        model.addAttribute("building", building(overview));
        model.addAttribute("people", people(overview));
        model.addAttribute("admin", actor.has(Role.ADMIN));
        if (!model.containsAttribute("evaluate")) {
            model.addAttribute("evaluate", Map.of()); // what the evaluation form shows typed: nothing, unless refused
        }
        model.addAttribute(
                "removable",
                collection.status().equals("ACTIVE")
                        && collection.managedBy().equals("API")
                        && collection.currentVersion() > 0);
        Version chosen = overview.chosen();
        OptionalDouble best = chosen == null || chosen.version() != collection.currentVersion()
                ? OptionalDouble.empty()
                : overview.evaluations().stream()
                        .mapToDouble(Evaluation::top1Accuracy)
                        .max();
        model.addAttribute("bestTop1", best.isPresent() ? best.getAsDouble() : null);
        return "portal/collection";
    }

    /** The versions table alone, which the page reloads every two seconds while a build runs. */
    @GetMapping("/{name}/versions")
    String versions(@PathVariable String name, @RequestParam(required = false) @Nullable Long version, Model model) {
        Overview overview = read(name, version);
        model.addAttribute("overview", overview);
        model.addAttribute("c", overview.collection());
        model.addAttribute("building", building(overview));
        model.addAttribute("people", people(overview));
        return "portal/collection :: versions";
    }

    @PostMapping("/{name}/retire")
    String retire(
            @PathVariable String name,
            @RequestParam(defaultValue = "") String reason,
            Actor actor,
            RedirectAttributes flash) {
        try {
            collections.retire(name, blankToNull(reason), actor);
            flash.addFlashAttribute("message", "Retired: every search of it is refused from now on.");
        } catch (ProblemException e) {
            refused(flash, e, "reason".equals(e.field()) ? "retire-reason" : null, reason);
        }
        return "redirect:" + page(name, null);
    }

    @PostMapping("/{name}/removals")
    String remove(
            @PathVariable String name,
            @RequestParam(defaultValue = "") String item,
            @RequestParam(defaultValue = "") String reason,
            Actor actor,
            RedirectAttributes flash) {
        try {
            Version started = collections.removeItem(name, item.strip(), blankToNull(reason), actor);
            flash.addFlashAttribute(
                    "message",
                    "Removing " + item.strip() + ": version " + started.version() + " is being built without it.");
            return "redirect:" + page(name, started.version());
        } catch (ProblemException e) {
            refused(
                    flash,
                    e,
                    "reason".equals(e.field())
                            ? "removal-reason"
                            : e.code().equals("collection-item-not-found") ? "removal-item" : null,
                    reason);
            flash.addFlashAttribute("item", item);
            return "redirect:" + page(name, null);
        }
    }

    /**
     * Evaluates the version the page showed as current (a newer one is refused, not evaluated in its place), with the
     * sample's settings or a query set's upload id, as the API does.
     */
    @PostMapping("/{name}/evaluations")
    String evaluate(
            @PathVariable String name,
            @RequestParam(defaultValue = "0") long version,
            @RequestParam(defaultValue = "") String k,
            @RequestParam(defaultValue = "") String queries,
            @RequestParam(defaultValue = "") String seed,
            @RequestParam(defaultValue = "") String querySet,
            Actor actor,
            RedirectAttributes flash) {
        Map<String, String> typed = Map.of("k", k, "queries", queries, "seed", seed, "querySet", querySet);
        try {
            EvaluationRequest request = new EvaluationRequest(
                    integer(k, "k"), integer(queries, "queries"), whole(seed, "seed"), blankToNull(querySet));
            Evaluation done = collections.evaluate(name, version, request, actor);
            flash.addFlashAttribute(
                    "message",
                    String.format(
                            Locale.ROOT,
                            "Evaluated version %d on %d queries: Top-1 vote accuracy %.3f.",
                            done.version(),
                            done.queries(),
                            done.top1Accuracy()));
            return "redirect:" + page(name, version);
        } catch (ProblemException e) {
            if (e.code().equals("collection-not-found")) {
                throw new ResponseStatusException(Problems.status(e.kind()), e.getMessage());
            }
            flash.addFlashAttribute("evaluateProblem", e.getMessage());
            if (e.field() != null) {
                flash.addFlashAttribute("field", "evaluate-" + e.field());
            }
            flash.addFlashAttribute("evaluate", typed);
            return "redirect:" + page(name, null);
        } catch (FieldRefused e) {
            flash.addFlashAttribute("evaluateProblem", e.getMessage());
            flash.addFlashAttribute("field", "evaluate-" + e.field);
            flash.addFlashAttribute("evaluate", typed);
            return "redirect:" + page(name, null);
        }
    }

    /** Sets ({@code action=set}) or clears the minimum Top-1 accuracy of the collection's data scope. */
    @PostMapping("/{name}/gate")
    String gate(
            @PathVariable String name,
            @RequestParam(defaultValue = "set") String action,
            @RequestParam(defaultValue = "") String minTop1,
            Actor actor,
            RedirectAttributes flash) {
        Summary collection = read(name, null).collection();
        String scope = scopeNames().getOrDefault(collection.dataScope(), collection.dataScope());
        try {
            Double minimum = null;
            if (!action.equals("clear")) {
                if (minTop1.isBlank()) {
                    throw new FieldRefused("minTop1", "Give the minimum Top-1 accuracy, a share between 0 and 1");
                }
                minimum = number(minTop1, "minTop1");
            }
            Double now = collections.gate(collection.dataScope(), minimum, actor);
            flash.addFlashAttribute(
                    "message",
                    now == null
                            ? "The gate of " + scope
                                    + " is cleared: no evaluation is asked before a RAG_CLASSIFIER is approved."
                            : String.format(
                                    Locale.ROOT,
                                    "A RAG_CLASSIFIER holding %s now needs a collection evaluated at a Top-1 accuracy of at least %.3f.",
                                    scope,
                                    now));
        } catch (ProblemException e) {
            flash.addFlashAttribute("gateProblem", e.getMessage());
            flash.addFlashAttribute("field", "gate-minTop1");
            flash.addFlashAttribute("minTop1", minTop1);
        } catch (FieldRefused e) {
            flash.addFlashAttribute("gateProblem", e.getMessage());
            flash.addFlashAttribute("field", "gate-" + e.field);
            flash.addFlashAttribute("minTop1", minTop1);
        }
        return "redirect:" + page(name, null);
    }

    /** A form value that is not the number its field needs: refused here, before any use case, naming the field. */
    private static final class FieldRefused extends RuntimeException {
        private final String field;

        FieldRefused(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }
    }

    private static @Nullable Integer integer(String value, String field) {
        if (value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw new FieldRefused(field, field + " is a whole number, not '" + value.strip() + "'");
        }
    }

    private static @Nullable Long whole(String value, String field) {
        if (value.isBlank()) {
            return null;
        }
        try {
            return Long.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw new FieldRefused(field, field + " is a whole number, not '" + value.strip() + "'");
        }
    }

    private static Double number(String value, String field) {
        try {
            return Double.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw new FieldRefused(field, field + " is a number, not '" + value.strip() + "'");
        }
    }

    /** The refusal and the form field it names, so the page marks that field and keeps what was typed. */
    private static void refused(RedirectAttributes flash, ProblemException e, @Nullable String field, String reason) {
        if (e.code().equals("collection-not-found")) {
            throw new ResponseStatusException(Problems.status(e.kind()), e.getMessage());
        }
        flash.addFlashAttribute("problem", e.getMessage());
        if (field != null) {
            flash.addFlashAttribute("field", field);
        }
        flash.addFlashAttribute("reason", reason);
    }

    private Overview read(String name, @Nullable Long version) {
        try {
            return collections.overview(name, version, REJECTIONS);
        } catch (ProblemException e) {
            throw new ResponseStatusException(Problems.status(e.kind()), e.getMessage());
        }
    }

    private static boolean building(Overview overview) {
        return overview.versions().stream().anyMatch(each -> each.state().equals("BUILDING"));
    }

    /**
     * The display names of the people the page names (who created, built, evaluated or retired), from the directory;
     * an id the directory no longer knows is shown as it is stored.
     */
    private Map<String, String> people(Overview overview) {
        Set<String> ids = new HashSet<>();
        Summary c = overview.collection();
        ids.add(c.createdBy());
        if (c.retiredBy() != null) {
            ids.add(c.retiredBy());
        }
        overview.versions().forEach(v -> ids.add(v.createdBy()));
        overview.evaluations().forEach(e -> ids.add(e.createdBy()));
        Map<String, String> names = new HashMap<>();
        for (Map.Entry<String, DirectoryUser> person : directory.findUsers(ids).entrySet()) {
            names.put(person.getKey(), person.getValue().displayName());
        }
        for (String id : ids) {
            names.putIfAbsent(id, id);
        }
        return names;
    }

    private Map<String, String> scopeNames() {
        Map<String, String> names = new TreeMap<>();
        for (DataScopeView scope : catalog.dataScopes()) {
            names.put(scope.key(), scope.displayName());
        }
        return names;
    }

    private static String page(String name, @Nullable Long version) {
        UriComponentsBuilder uri = UriComponentsBuilder.fromPath("/portal/collections/{name}");
        if (version != null) {
            uri.queryParam("version", version);
        }
        return uri.buildAndExpand(name).encode().toUriString();
    }

    private static @Nullable String blankToNull(String value) {
        return value.isBlank() ? null : value.strip();
    }
}
