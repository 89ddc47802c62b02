package io.warden.portal.internal;

import io.warden.registry.Actor;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataSourceKind;
import io.warden.registry.DataSources;
import io.warden.registry.RegistryException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The admins' page of data sources: each archive folder or DICOMweb server and the data scope it is bound to. */
@Controller
@RequestMapping("/portal/data-sources")
class DataSourcePagesController {

    private final DataSources sources;
    private final CatalogQueries registry;

    DataSourcePagesController(DataSources sources, CatalogQueries registry) {
        this.sources = sources;
        this.registry = registry;
    }

    @GetMapping
    String list(Model model) {
        model.addAttribute("sources", sources.list());
        model.addAttribute("scopes", registry.dataScopes());
        model.addAttribute("kinds", DataSourceKind.values());
        return "portal/data-sources";
    }

    @PostMapping
    String register(
            @RequestParam(defaultValue = "") String key,
            @RequestParam(defaultValue = "") String displayName,
            @RequestParam(defaultValue = "FOLDER") DataSourceKind kind,
            @RequestParam(defaultValue = "") String location,
            @RequestParam(defaultValue = "") String scopeKey,
            Actor actor,
            RedirectAttributes flash) {
        try {
            var created = sources.create(
                    key.strip(), new DataSources.Save(displayName, kind, location.strip(), scopeKey), actor.id());
            flash.addFlashAttribute(
                    "message", "Registered " + created.displayName() + ", bound to " + created.scopeKey() + ".");
        } catch (RegistryException e) {
            flash.addFlashAttribute("problem", (e.field() == null ? "" : e.field() + ": ") + e.getMessage());
        }
        return "redirect:/portal/data-sources";
    }
}
