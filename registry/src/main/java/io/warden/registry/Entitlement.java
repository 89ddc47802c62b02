package io.warden.registry;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one person may read, as the group entitlements give it: for each data scope, the purposes of use under
 * which they may read it. A purpose the scope no longer allows is not in it, and a person the directory does
 * not know or has disabled holds nothing. Immutable.
 *
 * @param personId the person's directory object id
 * @param scopes   data scope key → the purposes of use the person holds on it (never empty sets)
 * @param groups   the person's groups the answer was computed from
 */
public record Entitlement(
        String personId, SortedMap<String, SortedSet<PurposeOfUse>> scopes, List<DirectoryGroup> groups) {

    public Entitlement {
        SortedMap<String, SortedSet<PurposeOfUse>> copy = new TreeMap<>();
        scopes.forEach((scope, purposes) -> {
            if (!purposes.isEmpty()) {
                copy.put(scope, Collections.unmodifiableSortedSet(new TreeSet<>(purposes)));
            }
        });
        scopes = Collections.unmodifiableSortedMap(copy);
        groups = List.copyOf(groups);
    }

    /** Nothing at all: someone unknown, disabled, or in no mapped group. */
    public static Entitlement none(String personId) {
        return new Entitlement(personId, new TreeMap<>(), List.of());
    }

    /** The purposes under which the person may read this data scope; empty when they hold none. */
    public SortedSet<PurposeOfUse> purposesOn(String scope) {
        return scopes.getOrDefault(scope, Collections.emptySortedSet());
    }

    public boolean holds(String scope) {
        return scopes.containsKey(scope);
    }

    /** Whether the person may read this data scope under this purpose. */
    public boolean allows(String scope, PurposeOfUse purpose) {
        return purposesOn(scope).contains(purpose);
    }

    /** For JSON: scope → purposes as a plain map. */
    public Map<String, SortedSet<PurposeOfUse>> asMap() {
        return scopes;
    }
}
