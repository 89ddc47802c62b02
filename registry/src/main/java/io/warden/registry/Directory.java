package io.warden.registry;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port to the organisation's directory of people. {@code LocalDirectory} (tables in Warden's database)
 * is the default; a Microsoft Graph adapter serves Entra ID tenants.
 *
 * <p>Implementations are thread-safe. A directory that cannot be reached throws; callers on a security
 * path treat that as "not verified".
 */
public interface Directory {

    /** The person with this directory object id, whether enabled or not. */
    Optional<DirectoryUser> findUser(String id);

    /**
     * The people with these ids, in bulk (the lifecycle rules check every owner at once); ids not in the
     * directory are absent from the answer. Adapters answer with a handful of requests, not one per person.
     */
    Map<String, DirectoryUser> findUsers(Collection<String> ids);

    /** The group with this id; empty when the directory has no such group. */
    Optional<DirectoryGroup> findGroup(String id);

    /** The groups the person belongs to, directly or through other groups; empty for someone unknown. */
    List<DirectoryGroup> groupsOf(String userId);
}
