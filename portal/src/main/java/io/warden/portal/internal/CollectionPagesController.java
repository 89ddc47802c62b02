package io.warden.portal.internal;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.Problems;
import io.warden.collections.GovernedCollections;
import io.warden.collections.GovernedCollections.Evaluation;
import io.warden.collections.GovernedCollections.Overview;
import io.warden.collections.GovernedCollections.Summary;
import io.warden.collections.GovernedCollections.Version;
import io.warden.registry.Actor;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.Role;
import java.util.Map;
import java.util.OptionalDouble;
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
 * with their measures and confusion matrix, and its data scope's evaluation gate. Admins retire a collection or remove
 * an item here, with a reason, through {@link GovernedCollections}: the API's own use cases, so the same validation,
 * refusals and audit records. Role rules are the API's (reads: ADMIN, COMPLIANCE, SECOPS; changes: ADMIN), set in the
 * portal's security chain; building from an upload stays an API action.
 */
@Controller
@RequestMapping("/portal/collections")
class CollectionPagesController {

    /** The refused items a collection's page lists at most; the API reads more. */
    static final int REJECTIONS = 100;

    private final GovernedCollections collections;
    private final CatalogQueries catalog;

    CollectionPagesController(GovernedCollections collections, CatalogQueries catalog) {
        this.collections = collections;
        this.catalog = catalog;
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
        model.addAttribute("admin", actor.has(Role.ADMIN));
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
