package io.warden.registry;

import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The mapping admins keep from directory groups to data scopes and purposes of use, which
 * {@link Entitlements} decides from. Every change is audited ({@code group_entitlement.created},
 * {@code .updated}, {@code .deleted}: the actor, the old and the new purposes). Only admins change it; the
 * caller's role rule is checked at the web edge and again here.
 *
 * @throws RegistryException.InvalidField for an unknown group ({@code groupId}), an unknown scope
 *         ({@code scope}) or a purpose the scope does not allow ({@code purposes})
 */
public interface GroupEntitlements {

    /** A grant to save: the members of {@code groupId} may read {@code scope} under {@code purposes}. */
    record Grant(String groupId, String scope, SortedSet<PurposeOfUse> purposes) {

        public Grant {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(scope, "scope");
            purposes = new TreeSet<>(purposes);
        }
    }

    /** Every group entitlement, by group name and scope. */
    List<GroupEntitlementView> list();

    /** @throws RegistryException.NotFound when there is none with this id */
    GroupEntitlementView find(UUID id);

    /** @throws RegistryException.AlreadyExists when the group already has an entitlement on the scope */
    GroupEntitlementView create(Grant grant, Actor actor);

    /** Changes the purposes; the group and scope of an entitlement do not change. */
    GroupEntitlementView update(UUID id, SortedSet<PurposeOfUse> purposes, long version, Actor actor);

    void delete(UUID id, long version, Actor actor);
}
