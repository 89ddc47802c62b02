package io.warden.app.entra;

import com.microsoft.graph.models.AppRole;
import com.microsoft.graph.models.AppRoleAssignment;
import com.microsoft.graph.models.AppRoleAssignmentCollectionResponse;
import com.microsoft.graph.models.ServicePrincipal;
import com.microsoft.graph.models.User;
import com.microsoft.graph.models.UserCollectionResponse;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import io.warden.lifecycle.RoleMembers;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.Role;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * Who holds a Warden role in Entra ID: the people assigned the app role whose value stands for it
 * ({@code warden.identity.role-values}) on Warden's API application, directly or as direct members of an assigned
 * group, since Entra grants a group's app role to its direct members only. {@code GET
 * /servicePrincipals(appId='{appId}')} gives the app roles, {@code GET /servicePrincipals/{id}/appRoleAssignedTo}
 * the assignments and {@code GET /groups/{id}/members/graph.user} a group's people, every page. Only people
 * the directory knows as active are returned. Needs the application permissions {@code Application.Read.All} and
 * {@code GroupMember.Read.All}. Thread-safe; each call reads Graph afresh, so a revoked assignment stops notices at
 * once.
 */
final class GraphRoleMembers implements RoleMembers {

    private static final String[] USER_SELECT = {"id", "accountEnabled"};

    private final GraphServiceClient graph;
    private final String apiAppId;
    private final Function<Role, String> roleValues;
    private final Directory directory;

    /**
     * @param apiAppId   the application (client) id of the app registration that defines Warden's app roles
     * @param roleValues the app role value that stands for each Warden role
     */
    GraphRoleMembers(
            GraphServiceClient graph, String apiAppId, Function<Role, String> roleValues, Directory directory) {
        this.graph = graph;
        this.apiAppId = apiAppId;
        this.roleValues = roleValues;
        this.directory = directory;
    }

    @Override
    public List<String> membersOf(Role role) {
        ServicePrincipal api = graph.servicePrincipalsWithAppId(apiAppId)
                .get(request -> request.queryParameters.select = new String[] {"id", "appRoles"});
        if (api == null || api.getId() == null) {
            throw new IllegalStateException(
                    "Graph has no service principal for the application " + apiAppId + " (warden.graph.api-app-id)");
        }
        String value = roleValues.apply(role);
        Set<UUID> appRoles = new TreeSet<>();
        for (AppRole appRole : Objects.requireNonNullElse(api.getAppRoles(), List.<AppRole>of())) {
            if (value.equals(appRole.getValue()) && !Boolean.FALSE.equals(appRole.getIsEnabled())) {
                appRoles.add(appRole.getId());
            }
        }
        if (appRoles.isEmpty()) {
            return List.of();
        }
        Set<String> people = new TreeSet<>();
        AppRoleAssignmentCollectionResponse page = graph.servicePrincipals()
                .byServicePrincipalId(api.getId())
                .appRoleAssignedTo()
                .get();
        while (page != null) {
            for (AppRoleAssignment assignment :
                    Objects.requireNonNullElse(page.getValue(), List.<AppRoleAssignment>of())) {
                if (assignment.getPrincipalId() == null || !appRoles.contains(assignment.getAppRoleId())) {
                    continue;
                }
                String principal = assignment.getPrincipalId().toString();
                if ("User".equalsIgnoreCase(assignment.getPrincipalType())) {
                    people.add(principal);
                } else if ("Group".equalsIgnoreCase(assignment.getPrincipalType())) {
                    people.addAll(enabledMembers(principal));
                }
                // a service principal holding the role is an application: nobody to notify
            }
            page = page.getOdataNextLink() == null
                    ? null
                    : graph.servicePrincipals()
                            .byServicePrincipalId(api.getId())
                            .appRoleAssignedTo()
                            .withUrl(page.getOdataNextLink())
                            .get();
        }
        Map<String, DirectoryUser> known = directory.findUsers(people);
        return people.stream()
                .filter(id -> {
                    DirectoryUser person = known.get(id);
                    return person != null && person.active();
                })
                .toList();
    }

    private Set<String> enabledMembers(String group) {
        Set<String> members = new TreeSet<>();
        UserCollectionResponse page = graph.groups()
                .byGroupId(group)
                .members()
                .graphUser()
                .get(request -> request.queryParameters.select = USER_SELECT);
        while (page != null) {
            for (User user : Objects.requireNonNullElse(page.getValue(), List.<User>of())) {
                if (user.getId() != null && !Boolean.FALSE.equals(user.getAccountEnabled())) {
                    members.add(user.getId());
                }
            }
            page = page.getOdataNextLink() == null
                    ? null
                    : graph.groups()
                            .byGroupId(group)
                            .members()
                            .graphUser()
                            .withUrl(page.getOdataNextLink())
                            .get();
        }
        return members;
    }
}
