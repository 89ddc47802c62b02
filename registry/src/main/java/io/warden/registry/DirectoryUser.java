package io.warden.registry;

import org.jspecify.annotations.Nullable;

/**
 * A person in the organisation's directory (Entra ID in production, Warden's local directory by default).
 *
 * @param id                the directory object id ({@code oid} in tokens)
 * @param accountEnabled    false once the account is disabled
 * @param deleted           true once the account is deleted (soft-deleted in Entra)
 * @param managerId         the person's manager, used when an agent is orphaned
 */
public record DirectoryUser(
        String id,
        String userPrincipalName,
        String displayName,
        @Nullable String mail,
        boolean accountEnabled,
        boolean deleted,
        @Nullable String managerId) {

    /** Whether this person may own an agent: present, enabled and not deleted. */
    public boolean active() {
        return accountEnabled && !deleted;
    }
}
