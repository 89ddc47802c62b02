package io.warden.registry;

import java.time.Instant;
import java.util.SortedSet;
import java.util.UUID;

/**
 * One group entitlement: the members of a directory group may read a data scope under these purposes of use.
 *
 * @param groupName the group's display name when it was last saved (the directory stays the source of truth)
 * @param scopeName the data scope's display name
 */
public record GroupEntitlementView(
        UUID id,
        String groupId,
        String groupName,
        String scope,
        String scopeName,
        SortedSet<PurposeOfUse> purposes,
        Instant updatedAt,
        String updatedBy,
        long version) {}
