package io.warden.portal.internal;

import io.warden.registry.Actor;
import io.warden.registry.AgentQueries;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Directory;
import io.warden.registry.Role;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * What every portal page's header needs: who is signed in, by name and by the names of their roles; which links
 * of the navigation they may follow ({@link Nav}, the same role rules the portal's
 * security enforces, so nobody is shown a link that only leads to "not allowed"); and {@link Names} for the page.
 */
@ControllerAdvice(basePackageClasses = PortalHeader.class)
class PortalHeader {

    private final Directory directory;
    private final AgentQueries agents;
    private final CatalogQueries catalog;

    PortalHeader(Directory directory, AgentQueries agents, CatalogQueries catalog) {
        this.directory = directory;
        this.agents = agents;
        this.catalog = catalog;
    }

    /**
     * The signed-in person as the header shows them.
     *
     * @param name  display name from the directory, or the id when the directory does not know them
     * @param mail  e-mail address, or null
     * @param roles the roles' names in words, e.g. "Compliance officer"
     */
    public record Me(String name, @Nullable String mail, List<String> roles) {}

    /**
     * The navigation's questions: whether the signed-in person holds any of these roles ({@code nav.any('ADMIN')}),
     * and whether a link leads to the page shown ({@code nav.at('/portal/agents')} gives {@code page} for
     * {@code aria-current}, else null so the attribute is left out).
     */
    public record Nav(Set<Role> roles, String path) {

        public boolean any(String... names) {
            return Arrays.stream(names).map(Role::valueOf).anyMatch(roles::contains);
        }

        @Nullable
        public String at(String link) {
            return path.equals(link) ? "page" : null;
        }
    }

    @ModelAttribute
    void header(Actor actor, HttpServletRequest request, Model model) {
        Names names = new Names(directory, agents, catalog);
        model.addAttribute("names", names);
        model.addAttribute("actor", actor);
        model.addAttribute(
                "nav",
                new Nav(
                        actor.roles(),
                        request.getRequestURI()
                                .substring(request.getContextPath().length())));
        model.addAttribute(
                "me",
                new Me(
                        names.person(actor.id()),
                        names.mail(actor.id()),
                        actor.roles().stream()
                                .sorted()
                                .map(PortalHeader::inWords)
                                .toList()));
    }

    static String inWords(Role role) {
        return switch (role) {
            case ADMIN -> "Administrator";
            case OWNER -> "Agent owner";
            case COMPLIANCE -> "Compliance officer";
            case SECOPS -> "Security operations";
        };
    }
}
