package io.warden.registry;

import java.util.List;
import java.util.Optional;

/**
 * The directory of people that Warden keeps itself (the default when no organisation directory is configured), which
 * admins edit through the API. There is none when the directory is an organisation's, which Warden only reads.
 */
public interface EditableDirectory extends Directory {

    /** Everyone in the directory, by display name. */
    List<DirectoryUser> list();

    /**
     * Adds a person; the id and the user principal name must be new.
     *
     * @throws RegistryException.Conflict {@code person-exists} when either is taken
     */
    DirectoryUser add(DirectoryUser person);

    /** Enables or disables a person's account; empty when there is no such person. */
    Optional<DirectoryUser> setEnabled(String id, boolean enabled);
}
