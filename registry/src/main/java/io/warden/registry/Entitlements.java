package io.warden.registry;

/**
 * Port to people's entitlements: which data scopes a person may read, and under which purposes of use, from
 * the directory groups they belong to (local groups by default, Entra ID groups through Graph) and the group
 * entitlements admins keep ({@link GroupEntitlements}). This one mapping decides what a person may read of
 * cohorts, and is what a call an agent makes on a person's behalf is to be decided on.
 *
 * <p>Thread-safe. Every call reads the directory afresh, so adding a person to a group or removing them takes
 * effect on their next read.
 */
public interface Entitlements {

    /**
     * The person's entitlement now.
     *
     * @throws EntitlementsUnavailable when the directory or the mapping cannot be read: callers deny (fail closed)
     */
    Entitlement entitlement(String personId);
}
