package io.warden.app.entra;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryGroup;
import io.warden.registry.DirectoryUser;
import io.warden.registry.Role;
import io.warden.registry.adapters.GraphClients;
import java.net.URI;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who holds a Warden role in Entra ID, read from a local fake of Microsoft Graph v1.0: people assigned the app role
 * directly and the enabled direct members of an assigned group, over every page, not those assigned another role, an
 * application holding the role, a disabled member or a person the directory knows as disabled or not at all.
 */
class GraphRoleMembersTests {

    static final String API_APP = "11111111-2222-3333-4444-555555555555";
    static final String COMPLIANCE_ROLE = "c0000000-0000-4000-8000-000000000001";
    static final String ADMIN_ROLE = "a0000000-0000-4000-8000-000000000001";
    static final String CARLA = "e0000000-0000-4000-8000-00000000000c";
    static final String CLEO = "e0000000-0000-4000-8000-00000000000d";
    static final String GONE = "e0000000-0000-4000-8000-00000000000e"; // disabled, a member of the group
    static final String DORA = "e0000000-0000-4000-8000-00000000000f"; // disabled in the directory
    static final String ADA = "e0000000-0000-4000-8000-00000000000a";
    static final String STRANGER = "e0000000-0000-4000-8000-000000000099";
    static final String GROUP = "90000000-0000-4000-8000-000000000001";
    static final String CLIENT_APP = "50000000-0000-4000-8000-000000000001";

    static final WireMockServer graph = start();

    static final Directory directory = new Directory() {
        final Map<String, DirectoryUser> people = Map.of(
                CARLA, person(CARLA, true),
                CLEO, person(CLEO, true),
                GONE, person(GONE, true),
                DORA, person(DORA, false),
                ADA, person(ADA, true));

        public Optional<DirectoryUser> findUser(String id) {
            return Optional.ofNullable(people.get(id));
        }

        public Map<String, DirectoryUser> findUsers(Collection<String> ids) {
            Map<String, DirectoryUser> found = new HashMap<>();
            ids.stream().filter(people::containsKey).forEach(id -> found.put(id, people.get(id)));
            return found;
        }

        public Optional<DirectoryGroup> findGroup(String id) {
            return Optional.empty();
        }

        public List<DirectoryGroup> groupsOf(String userId) {
            return List.of();
        }

        public List<DirectoryUser> searchUsers(String text, int limit) {
            return List.of();
        }
    };

    final GraphRoleMembers members = new GraphRoleMembers(
            client(),
            API_APP,
            role -> switch (role) {
                case COMPLIANCE -> "Warden.Compliance";
                case ADMIN -> "Warden.Admin";
                default -> role.name();
            },
            directory);

    static WireMockServer start() {
        WireMockServer server =
                new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        return server;
    }

    @AfterAll
    static void stop() {
        graph.stop();
    }

    @BeforeEach
    void tenant() {
        graph.resetAll();
        graph.stubFor(any(anyUrl())
                .atPriority(100)
                .willReturn(aResponse()
                        .withStatus(404)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"Resource does not"
                                + " exist.\"}}")));
        graph.stubFor(get(urlPathMatching("/v1.0/servicePrincipals\\(appId=('|%27)" + API_APP + "('|%27)\\)"))
                .willReturn(okJson("""
                        {"id":"sp-api","appRoles":[
                          {"id":"%s","value":"Warden.Compliance","isEnabled":true,"allowedMemberTypes":["User"]},
                          {"id":"%s","value":"Warden.Admin","isEnabled":true,"allowedMemberTypes":["User"]}]}""".formatted(COMPLIANCE_ROLE, ADMIN_ROLE))));
        String next = "http://127.0.0.1:" + graph.port() + "/v1.0/servicePrincipals/sp-api/appRoleAssignedTo?page=2";
        graph.stubFor(get(urlPathEqualTo("/v1.0/servicePrincipals/sp-api/appRoleAssignedTo"))
                .atPriority(10)
                .willReturn(okJson("""
                        {"value":[
                          %s, %s, %s, %s],
                         "@odata.nextLink":"%s"}""".formatted(
                                assignment(CARLA, "User", COMPLIANCE_ROLE),
                                assignment(GROUP, "Group", COMPLIANCE_ROLE),
                                assignment(ADA, "User", ADMIN_ROLE),
                                assignment(CLIENT_APP, "ServicePrincipal", COMPLIANCE_ROLE),
                                next))));
        graph.stubFor(get(urlPathEqualTo("/v1.0/servicePrincipals/sp-api/appRoleAssignedTo"))
                .withQueryParam("page", equalTo("2"))
                .atPriority(5)
                .willReturn(okJson("{\"value\":[%s, %s]}"
                        .formatted(
                                assignment(DORA, "User", COMPLIANCE_ROLE),
                                assignment(STRANGER, "User", COMPLIANCE_ROLE)))));
        graph.stubFor(get(urlPathEqualTo("/v1.0/groups/" + GROUP + "/members/graph.user"))
                .willReturn(okJson("""
                        {"value":[{"id":"%s","accountEnabled":true},{"id":"%s","accountEnabled":false},
                                  {"id":"%s","accountEnabled":true}]}""".formatted(CLEO, GONE, CARLA))));
    }

    @Test
    void theActivePeopleAssignedTheRolesAppRoleDirectlyOrThroughAGroup() {
        assertThat(members.membersOf(Role.COMPLIANCE)).containsExactly(CARLA, CLEO);
        assertThat(members.membersOf(Role.ADMIN)).containsExactly(ADA);
        assertThat(members.membersOf(Role.SECOPS))
                .as("no app role has its value")
                .isEmpty();
        graph.verify(getRequestedFor(urlPathEqualTo("/v1.0/groups/" + GROUP + "/members/graph.user"))
                .withQueryParam("$select", equalTo("id,accountEnabled"))
                .withHeader("Authorization", equalTo("Bearer graph-token")));
    }

    @Test
    void anApiApplicationGraphDoesNotKnowIsAnErrorSoTheDeliveryIsRetried() {
        GraphRoleMembers unknown = new GraphRoleMembers(client(), "not-there", role -> role.name(), directory);

        assertThatThrownBy(() -> unknown.membersOf(Role.COMPLIANCE)).isInstanceOf(RuntimeException.class);
    }

    static String assignment(String principal, String type, String appRole) {
        return """
                {"principalId":"%s","principalType":"%s","appRoleId":"%s","resourceId":"70000000-0000-4000-8000-000000000001"}""".formatted(principal, type, appRole);
    }

    static DirectoryUser person(String id, boolean enabled) {
        return new DirectoryUser(id, id + "@contoso.org", "Person " + id, id + "@contoso.org", enabled, false, null);
    }

    static GraphServiceClient client() {
        return GraphClients.create(URI.create("http://127.0.0.1:" + graph.port() + "/v1.0"), new AccessTokenProvider() {
            public String getAuthorizationToken(URI uri, @Nullable Map<String, Object> context) {
                return "graph-token";
            }

            public AllowedHostsValidator getAllowedHostsValidator() {
                return new AllowedHostsValidator("127.0.0.1");
            }
        });
    }
}
