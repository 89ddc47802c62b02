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

    /** The longest text {@link #searchUsers} takes: a name or an address, not a document. */
    int SEARCH_MAX_TEXT = 100;

    /** The most people one {@link #searchUsers} answers with: a picker shows a handful, never the tenant. */
    int SEARCH_MAX_RESULTS = 50;

    /**
     * People whose display name, e-mail address or user principal name contains {@code text} (case-insensitive; an
     * organisation's directory may match word prefixes only), people who may own agents ({@link DirectoryUser#active()})
     * first, then by display name; at most {@code limit} of them, and never more than {@link #SEARCH_MAX_RESULTS}.
     * Deleted people are left out. Blank text finds nobody.
     *
     * @throws RegistryException.InvalidField {@code q} when the text is longer than {@link #SEARCH_MAX_TEXT} or holds
     *     control or formatting characters (see {@link #searchText})
     */
    List<DirectoryUser> searchUsers(String text, int limit);

    /**
     * The text of a people search as every adapter takes it: stripped, and refused when it is too long or holds
     * control or invisible formatting characters (which no name holds, and which could hide what is asked for).
     * Characters with a meaning in a query language (quotes, wildcards) are not refused here: each adapter passes
     * them as data, escaped for its own query language.
     *
     * @throws RegistryException.InvalidField {@code q}
     */
    static String searchText(String text) {
        String stripped = text.strip();
        if (stripped.length() > SEARCH_MAX_TEXT) {
            throw new RegistryException.InvalidField(
                    "q", "Search with at most " + SEARCH_MAX_TEXT + " characters: part of a name or an address");
        }
        boolean hostile = stripped.codePoints()
                .anyMatch(c -> Character.isISOControl(c)
                        || Character.getType(c) == Character.FORMAT
                        || Character.getType(c) == Character.LINE_SEPARATOR
                        || Character.getType(c) == Character.PARAGRAPH_SEPARATOR
                        || Character.getType(c) == Character.SURROGATE
                        || Character.getType(c) == Character.UNASSIGNED);
        if (hostile) {
            throw new RegistryException.InvalidField("q", "A search holds no control or formatting characters");
        }
        return stripped;
    }

    /** The number of people a search may answer with: at least one, at most {@link #SEARCH_MAX_RESULTS}. */
    static int searchLimit(int limit) {
        return Math.clamp(limit, 1, SEARCH_MAX_RESULTS);
    }
}
