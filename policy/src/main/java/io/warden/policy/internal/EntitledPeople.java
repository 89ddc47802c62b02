package io.warden.policy.internal;

import io.warden.policy.DecisionInput;
import io.warden.policy.OnBehalfOf;
import io.warden.registry.DirectoryGroup;
import io.warden.registry.Entitlement;
import io.warden.registry.Entitlements;
import io.warden.registry.PurposeOfUse;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The person of an on-behalf-of call as the decision sees them: what the directory-group mapping entitles them to read
 * ({@link Entitlements}, read afresh for every call, so a person removed from a group loses the access on their next
 * call) and whether one of their groups is a break-glass group ({@code warden.gateway.break-glass-groups}, directory
 * group ids). A person the directory does not know holds nothing. Thread-safe.
 */
final class EntitledPeople implements PeopleInTheLoop.People {

    private final Entitlements entitlements;
    private final Set<String> breakGlassGroups;

    EntitledPeople(Entitlements entitlements, Set<String> breakGlassGroups) {
        this.entitlements = entitlements;
        this.breakGlassGroups = Set.copyOf(breakGlassGroups);
    }

    @Override
    public DecisionInput.Person person(OnBehalfOf onBehalfOf) {
        Entitlement entitlement = entitlements.entitlement(onBehalfOf.personId());
        Map<String, Set<PurposeOfUse>> held = new TreeMap<>(entitlement.asMap());
        boolean breakGlass =
                entitlement.groups().stream().map(DirectoryGroup::id).anyMatch(breakGlassGroups::contains);
        return new DecisionInput.Person(onBehalfOf.personId(), held, breakGlass);
    }
}
