package io.warden.registry.adapters;

import com.microsoft.graph.models.DirectoryObject;
import com.microsoft.graph.models.Group;
import com.microsoft.graph.models.GroupCollectionResponse;
import com.microsoft.graph.models.User;
import com.microsoft.graph.models.UserCollectionResponse;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.delta.DeltaGetResponse;
import com.microsoft.kiota.ApiException;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryGroup;
import io.warden.registry.DirectoryUser;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * People from Entra ID through Microsoft Graph v1.0. One person: {@code GET /users/{id}} with
 * {@code $select} (Graph returns {@code accountEnabled} only when selected) and {@code GET /users/{id}/manager};
 * a person Graph does not know (404: deleted or never there) is absent. Many people, as the lifecycle
 * rules ask: a delta query over the tenant's users ({@code GET /users/delta}, 999 per page), kept and
 * followed by its delta link the next time, so 10,000 owners cost about ten requests the first time and
 * usually one afterwards; a user the delta reports removed is marked deleted. Throttling (429 with
 * {@code Retry-After}) and 503/504 are retried by the SDK's pipeline a bounded number of times.
 * Thread-safe.
 */
public final class GraphDirectory implements Directory {

    static final String[] SELECT = {"id", "userPrincipalName", "displayName", "mail", "accountEnabled"};

    private final GraphServiceClient graph;
    private final int bulkFrom;
    private final Map<String, DirectoryUser> tenant = new ConcurrentHashMap<>();
    private volatile @Nullable String deltaLink;

    /** @param bulkFrom from this many ids on, {@link #findUsers} reads the tenant by delta query instead of one by one */
    public GraphDirectory(GraphServiceClient graph, int bulkFrom) {
        this.graph = graph;
        this.bulkFrom = bulkFrom;
    }

    @Override
    public Optional<DirectoryUser> findUser(String id) {
        User user;
        try {
            user = graph.users().byUserId(id).get(request -> request.queryParameters.select = SELECT);
        } catch (ApiException e) {
            if (e.getResponseStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        if (user == null) {
            return Optional.empty();
        }
        String manager = null;
        try {
            DirectoryObject found = graph.users()
                    .byUserId(id)
                    .manager()
                    .get(request -> request.queryParameters.select = new String[] {"id"});
            manager = found == null ? null : found.getId();
        } catch (ApiException e) {
            if (e.getResponseStatusCode() != 404) { // 404: nobody is set as the manager
                throw e;
            }
        }
        return Optional.of(map(user, manager, null));
    }

    /** {@code GET /groups/{id}}; a group Graph does not know (404) is absent. */
    @Override
    public Optional<DirectoryGroup> findGroup(String id) {
        Group group;
        try {
            group = graph.groups()
                    .byGroupId(id)
                    .get(request -> request.queryParameters.select = new String[] {"id", "displayName"});
        } catch (ApiException e) {
            if (e.getResponseStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        if (group == null || group.getId() == null) {
            return Optional.empty();
        }
        return Optional.of(new DirectoryGroup(
                group.getId(), group.getDisplayName() == null ? group.getId() : group.getDisplayName()));
    }

    /** {@code GET /users/{id}/transitiveMemberOf/microsoft.graph.group}, every page. */
    @Override
    public List<DirectoryGroup> groupsOf(String userId) {
        List<DirectoryGroup> groups = new ArrayList<>();
        GroupCollectionResponse page;
        try {
            page = graph.users()
                    .byUserId(userId)
                    .transitiveMemberOf()
                    .graphGroup()
                    .get(request -> request.queryParameters.select = new String[] {"id", "displayName"});
        } catch (ApiException e) {
            if (e.getResponseStatusCode() == 404) {
                return groups;
            }
            throw e;
        }
        while (page != null) {
            if (page.getValue() != null) {
                page.getValue().forEach(group -> {
                    String id = GraphValues.required(group.getId(), "group id");
                    String name = group.getDisplayName();
                    groups.add(new DirectoryGroup(id, name == null ? id : name));
                });
            }
            page = page.getOdataNextLink() == null
                    ? null
                    : graph.users()
                            .byUserId(userId)
                            .transitiveMemberOf()
                            .graphGroup()
                            .withUrl(page.getOdataNextLink())
                            .get();
        }
        return groups;
    }

    /**
     * {@code GET /users?$search="displayName:…" OR "mail:…" OR "userPrincipalName:…"} with {@code $top} and the
     * {@code ConsistencyLevel: eventual} header that Graph requires for {@code $search} on directory objects (an
     * advanced query). Graph matches the start of each word of those properties. The text goes into the query as data
     * only: inside a quoted search phrase, where a backslash and a double quote are escaped with a backslash, so it
     * cannot close the phrase and add operators or other properties; the SDK then percent-encodes the whole
     * parameter. Graph cannot order a search by whether the account is enabled: the page it answers is ordered here.
     */
    @Override
    public List<DirectoryUser> searchUsers(String text, int limit) {
        String wanted = Directory.searchText(text);
        if (wanted.isEmpty()) {
            return List.of();
        }
        int top = Directory.searchLimit(limit);
        String phrase = phrase(wanted);
        UserCollectionResponse page = graph.users().get(request -> {
            request.queryParameters.search =
                    "\"displayName:" + phrase + "\" OR \"mail:" + phrase + "\" OR \"userPrincipalName:" + phrase + "\"";
            request.queryParameters.select = SELECT;
            request.queryParameters.top = top;
            request.headers.add("ConsistencyLevel", "eventual");
        });
        if (page == null || page.getValue() == null) {
            return List.of();
        }
        return page.getValue().stream()
                .map(user -> map(user, null, null))
                .sorted(Comparator.comparing((DirectoryUser user) -> !user.active())
                        .thenComparing(DirectoryUser::displayName, String.CASE_INSENSITIVE_ORDER)
                        .thenComparing(DirectoryUser::id))
                .limit(top)
                .toList();
    }

    /** The text as the inside of an OData search phrase ({@code "…"}): backslash and double quote escaped. */
    static String phrase(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public Map<String, DirectoryUser> findUsers(Collection<String> ids) {
        Map<String, DirectoryUser> found = new HashMap<>();
        if (ids.size() < bulkFrom) {
            for (String id : ids) {
                findUser(id).ifPresent(user -> found.put(id, user));
            }
            return found;
        }
        synchronized (this) {
            sync();
        }
        for (String id : ids) {
            DirectoryUser user = tenant.get(id);
            if (user != null && !user.deleted()) {
                found.put(id, user);
            }
        }
        return found;
    }

    /** Reads the tenant's users, or only what changed since the last delta link. */
    private void sync() {
        DeltaGetResponse page = deltaLink == null
                ? graph.users().delta().get(request -> {
                    request.queryParameters.select = SELECT;
                    request.headers.add("Prefer", "odata.maxpagesize=999");
                })
                : graph.users().delta().withUrl(deltaLink).get();
        while (page != null) {
            if (page.getValue() != null) {
                for (User user : page.getValue()) {
                    boolean removed = user.getAdditionalData() != null
                            && user.getAdditionalData().containsKey("@removed");
                    tenant.merge(
                            user.getId(), map(user, null, removed), (known, changed) -> merge(known, user, removed));
                }
            }
            if (page.getOdataNextLink() != null) {
                page = graph.users().delta().withUrl(page.getOdataNextLink()).get();
            } else {
                deltaLink = page.getOdataDeltaLink();
                page = null;
            }
        }
    }

    /** A delta entry carries only what changed: keep what is known for the rest. */
    private static DirectoryUser merge(DirectoryUser known, User changed, boolean removed) {
        return new DirectoryUser(
                known.id(),
                changed.getUserPrincipalName() != null ? changed.getUserPrincipalName() : known.userPrincipalName(),
                changed.getDisplayName() != null ? changed.getDisplayName() : known.displayName(),
                changed.getMail() != null ? changed.getMail() : known.mail(),
                changed.getAccountEnabled() != null ? changed.getAccountEnabled() : known.accountEnabled(),
                removed,
                known.managerId());
    }

    private static DirectoryUser map(User user, @Nullable String managerId, @Nullable Boolean removed) {
        return new DirectoryUser(
                GraphValues.required(user.getId(), "user id"),
                String.valueOf(user.getUserPrincipalName()),
                user.getDisplayName() == null ? String.valueOf(user.getUserPrincipalName()) : user.getDisplayName(),
                user.getMail(),
                Boolean.TRUE.equals(user.getAccountEnabled()),
                Boolean.TRUE.equals(removed),
                managerId);
    }
}
