package io.warden.registry.internal;

import io.warden.registry.Actor;
import io.warden.registry.ActorType;
import io.warden.registry.DataScopeView;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.RiskTier;
import io.warden.registry.Role;
import io.warden.registry.ToolView;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The rules the agent, approval and catalogue use cases share: who may act on an agent, what the catalogue
 * must hold, when compliance decides, and paging. Reads only; it runs in the calling use case's transaction.
 */
@Component
class RegistryRules {

    static final String RULE_OWNER_OWN_AGENTS = "owner-acts-on-own-agents";

    private final CatalogRepository catalog;
    private final RegistryProperties properties;

    RegistryRules(CatalogRepository catalog, RegistryProperties properties) {
        this.catalog = catalog;
        this.properties = properties;
    }

    static void requireOwnerOrAdmin(Agent agent, Actor actor) {
        if (actor.type() == ActorType.SYSTEM
                || actor.has(Role.ADMIN)
                || agent.ownerId().equals(actor.id())) {
            return;
        }
        throw new RegistryException.AccessRuleViolated(
                RULE_OWNER_OWN_AGENTS, "Only the agent's owner or an ADMIN may do this to agent " + agent.id());
    }

    List<DataScopeView> requireScopes(Collection<String> keys, String field) {
        List<DataScopeView> found = catalog.findScopes(keys);
        requireAllFound(keys, found.stream().map(DataScopeView::key).collect(Collectors.toSet()), field, "data scope");
        return found;
    }

    void requireTools(Collection<String> keys, String field) {
        List<ToolView> found = catalog.findTools(keys);
        requireAllFound(keys, found.stream().map(ToolView::key).collect(Collectors.toSet()), field, "tool");
    }

    private static void requireAllFound(Collection<String> wanted, Set<String> found, String field, String what) {
        for (String key : new TreeSet<>(wanted)) {
            if (!found.contains(key)) {
                throw new RegistryException.InvalidField(field, "Unknown " + what + " '" + key + "'");
            }
        }
    }

    /**
     * Whether deciding these additions needs a compliance officer, from the scopes as they are classified
     * now: a PHI or highly confidential scope added; emergency treatment granted; or any purpose granted to
     * an agent that holds or asks for a PHI scope.
     */
    boolean needsCompliance(Agent agent, SortedSet<String> addScopes, SortedSet<PurposeOfUse> addPurposes) {
        if (RiskTier.of(catalog.findScopes(addScopes)).needsComplianceApproval()
                || addPurposes.contains(PurposeOfUse.ETREAT)) {
            return true;
        }
        if (addPurposes.isEmpty()) {
            return false;
        }
        Set<String> touched = new TreeSet<>(agent.dataScopes());
        touched.addAll(addScopes);
        return catalog.findScopes(touched).stream().anyMatch(DataScopeView::phi);
    }

    /** The page and size asked for, checked, with the configured default size: {@code {page, size}}. */
    int[] paging(@Nullable Integer page, @Nullable Integer size) {
        int p = page == null ? 0 : page;
        int s = size == null ? properties.defaultPageSize() : size;
        if (p < 0) {
            throw new RegistryException.InvalidField("page", "page must be 0 or more, got " + p);
        }
        if (s < 1 || s > properties.maxPageSize()) {
            throw new RegistryException.InvalidField(
                    "size", "size must be between 1 and " + properties.maxPageSize() + ", got " + s);
        }
        return new int[] {p, s};
    }
}
