package io.warden.lifecycle.internal;

import io.warden.lifecycle.RoleMembers;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.Role;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The people a notice reaches: the person it names, or for {@code role:<ROLE>} the role's holders. The people
 * configured for a role ({@code warden.notifications.role-members}) replace the identity provider's answer, so an
 * operator can narrow or redirect a role's notices; otherwise the identity provider says who holds it
 * ({@link RoleMembers}). Either way only people the directory knows as active are returned, each once, so a person
 * disabled since the role was granted gets nothing.
 */
final class RoleRecipients {

    static final String ROLE_PREFIX = "role:";

    private final Directory directory;
    private final NotificationProperties properties;
    private final @Nullable RoleMembers roleMembers;

    RoleRecipients(Directory directory, NotificationProperties properties, @Nullable RoleMembers roleMembers) {
        this.directory = directory;
        this.properties = properties;
        this.roleMembers = roleMembers;
    }

    /** The role a recipient names, empty for a person or a role Warden does not have. */
    static Optional<Role> role(String recipient) {
        if (!recipient.startsWith(ROLE_PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Role.valueOf(recipient.substring(ROLE_PREFIX.length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The active people a notice for {@code recipient} reaches, sorted by directory id.
     *
     * @throws RuntimeException when the directory or the identity provider cannot be read
     */
    List<DirectoryUser> people(String recipient) {
        List<String> ids;
        if (!recipient.startsWith(ROLE_PREFIX)) {
            ids = List.of(recipient);
        } else {
            Optional<Role> role = role(recipient);
            if (role.isEmpty()) {
                return List.of();
            }
            List<String> configured = properties.membersOf(role.get().name());
            ids = !configured.isEmpty() || roleMembers == null ? configured : roleMembers.membersOf(role.get());
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        return directory.findUsers(ids.stream().distinct().toList()).values().stream()
                .filter(DirectoryUser::active)
                .sorted((a, b) -> a.id().compareTo(b.id()))
                .toList();
    }
}
