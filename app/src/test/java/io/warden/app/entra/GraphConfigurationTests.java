package io.warden.app.entra;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import io.warden.app.security.IdentityProperties;
import io.warden.lifecycle.RoleMembers;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryGroup;
import io.warden.registry.DirectoryUser;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * When Warden builds its Microsoft Graph client: for Teams notifications on their own setting, not only for an Entra
 * directory or provisioner; a start that asks for Graph without Warden's app registration is refused naming the
 * setting that asked and the settings to set; with Entra signing people in, roles' holders come from Graph.
 */
class GraphConfigurationTests {

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(GraphConfiguration.class, Collaborators.class)
            .withPropertyValues("warden.identity.issuer=https://login.microsoftonline.com/tenant/v2.0");

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(IdentityProperties.class)
    static class Collaborators {
        @Bean
        Directory directory() {
            return new Directory() {
                public Optional<DirectoryUser> findUser(String id) {
                    return Optional.empty();
                }

                public Map<String, DirectoryUser> findUsers(Collection<String> ids) {
                    return Map.of();
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
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FixedToken {
        @Bean
        AccessTokenProvider graphToken() {
            return new AccessTokenProvider() {
                public String getAuthorizationToken(URI uri, @Nullable Map<String, Object> context) {
                    return "graph-token";
                }

                public AllowedHostsValidator getAllowedHostsValidator() {
                    return new AllowedHostsValidator("127.0.0.1");
                }
            };
        }
    }

    @Test
    void teamsAloneCreatesTheGraphClient() {
        runner.withUserConfiguration(FixedToken.class)
                .withPropertyValues("warden.notifications.teams.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(GraphServiceClient.class);
                    assertThat(context)
                            .as("the embedded provider's accounts say who holds a role")
                            .doesNotHaveBean(RoleMembers.class);
                });
    }

    @Test
    void teamsWithEntraCredentialsStartsWithMsal() {
        runner.withPropertyValues(
                        "warden.notifications.teams.enabled=true",
                        "warden.graph.authority=https://login.microsoftonline.com/9f3c4a6e-5b1d-4c2a-8e7f-0a1b2c3d4e5f/",
                        "warden.graph.client-id=warden-app",
                        "warden.graph.client-secret=a-secret")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(GraphServiceClient.class));
    }

    @Test
    void teamsWithoutWardensAppRegistrationIsRefusedAtStartNamingTheSettings() {
        runner.withPropertyValues("warden.notifications.teams.enabled=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("warden.notifications.teams.enabled=true")
                    .hasMessageContaining("warden.graph.authority")
                    .hasMessageContaining("warden.graph.client-id");
        });
        runner.withPropertyValues(
                        "warden.notifications.teams.enabled=true",
                        "warden.graph.authority=https://login.microsoftonline.com/9f3c4a6e-5b1d-4c2a-8e7f-0a1b2c3d4e5f/",
                        "warden.graph.client-id=warden-app")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context)
                            .getFailure()
                            .rootCause()
                            .hasMessageContaining("warden.notifications.teams.enabled=true")
                            .hasMessageContaining("warden.graph.client-secret");
                });
    }

    @Test
    void withoutAnythingAskingForGraphThereIsNoClient() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(GraphServiceClient.class));
    }

    @Test
    void entraSigningPeopleInReadsRolesFromGraph() {
        runner.withUserConfiguration(FixedToken.class)
                .withPropertyValues("warden.identity.provider=external", "warden.graph.client-id=warden-app")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(GraphServiceClient.class);
                    assertThat(context.getBean(RoleMembers.class)).isInstanceOf(GraphRoleMembers.class);
                });
    }
}
