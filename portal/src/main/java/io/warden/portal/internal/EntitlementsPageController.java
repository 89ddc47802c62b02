package io.warden.portal.internal;

import io.warden.registry.Actor;
import io.warden.registry.CatalogQueries;
import io.warden.registry.GroupEntitlements;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import java.util.List;
import java.util.TreeSet;
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
 * Group entitlements: which directory groups may read which data scopes, under which purposes of use, shown
 * by group and scope name. Admins add, change and remove them here through the same use case as the API
 * (audited there); compliance and security operations read the page.
 */
@Controller
@RequestMapping("/portal/entitlements")
class EntitlementsPageController {

    private final GroupEntitlements entitlements;
    private final CatalogQueries registry;

    EntitlementsPageController(GroupEntitlements entitlements, CatalogQueries registry) {
        this.entitlements = entitlements;
        this.registry = registry;
    }

    @GetMapping
    String page(Actor actor, Model model) {
        model.addAttribute("actor", actor);
        model.addAttribute("admin", actor.has(Role.ADMIN));
        model.addAttribute("entitlements", entitlements.list());
        model.addAttribute("scopes", registry.dataScopes());
        model.addAttribute("purposes", PurposeOfUse.values());
        return "portal/entitlements";
    }

    @PostMapping
    String create(
            @RequestParam(defaultValue = "") String groupId,
            @RequestParam(defaultValue = "") String scope,
            @RequestParam(required = false) List<PurposeOfUse> purposes,
            Actor actor,
            RedirectAttributes flash) {
        try {
            var created = entitlements.create(
                    new GroupEntitlements.Grant(
                            groupId.strip(), scope, new TreeSet<>(purposes == null ? List.of() : purposes)),
                    actor);
            flash.addFlashAttribute(
                    "message",
                    "Members of " + created.groupName() + " may read " + created.scopeName() + " under "
                            + created.purposes() + ".");
        } catch (RegistryException e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/portal/entitlements";
    }

    @PostMapping("/{id}")
    String update(
            @PathVariable UUID id,
            @RequestParam(required = false) List<PurposeOfUse> purposes,
            @RequestParam long version,
            Actor actor,
            RedirectAttributes flash) {
        try {
            var saved = entitlements.update(id, new TreeSet<>(purposes == null ? List.of() : purposes), version, actor);
            flash.addFlashAttribute(
                    "message",
                    "Members of " + saved.groupName() + " may read " + saved.scopeName() + " under " + saved.purposes()
                            + ".");
        } catch (RegistryException e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/portal/entitlements";
    }

    @PostMapping("/{id}/delete")
    String delete(@PathVariable UUID id, @RequestParam long version, Actor actor, RedirectAttributes flash) {
        try {
            var old = entitlements.find(id);
            entitlements.delete(id, version, actor);
            flash.addFlashAttribute(
                    "message", "Members of " + old.groupName() + " no longer read " + old.scopeName() + ".");
        } catch (RegistryException e) {
            flash.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:/portal/entitlements";
    }
}
