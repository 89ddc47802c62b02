package io.warden.lifecycle;

import io.warden.registry.Role;
import java.util.List;

/**
 * Who holds a Warden role, as the identity provider that grants roles knows it: the embedded provider's accounts, or
 * Entra ID's app role assignments. Notices addressed {@code role:<ROLE>} are delivered to these people. The
 * application provides it from whichever identity provider is configured; without one, a role's notices reach only
 * the people configured for it ({@code warden.notifications.role-members}). Thread-safe.
 */
public interface RoleMembers {

    /**
     * Directory ids of the people who hold {@code role} now and whose accounts are active (enabled, not deleted),
     * each once.
     *
     * @throws RuntimeException when the identity provider cannot be read; a delivery that asked is retried
     */
    List<String> membersOf(Role role);
}
