package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The local directory through the API: admins add people and disable or enable them; every change is audited. */
class DirectoryApiTests extends IntegrationTest {

    @Test
    void adminsAddDisableAndEnablePeopleAndOthersOnlyRead() {
        String id = "person-" + UUID.randomUUID();
        String person = """
                {"id":"%s","userPrincipalName":"%s@demo.warden.local","displayName":"New Owner","managerId":"3f1c2a9e-7b1d-4e0a-9c11-000000000a03"}""".formatted(id, id);
        assertThat(client.call("POST", "/api/v1/directory/users", owner(), person)
                        .status())
                .isEqualTo(403);
        var added = client.call("POST", "/api/v1/directory/users", admin(), person);
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.header("Location")).isEqualTo("/api/v1/directory/users/" + id);
        assertThat(added.json().get("managerId").asString()).isEqualTo("3f1c2a9e-7b1d-4e0a-9c11-000000000a03");
        assertThat(client.call("POST", "/api/v1/directory/users", admin(), person)
                        .status())
                .isEqualTo(409);
        var badManager = client.call("POST", "/api/v1/directory/users", admin(), """
                {"id":"x-%s","userPrincipalName":"x-%s@demo.warden.local","displayName":"X","managerId":"nobody"}""".formatted(id, id));
        assertThat(badManager.status()).isEqualTo(400);
        assertThat(badManager.json().get("field").asString()).isEqualTo("managerId");

        var disabled = client.call("PUT", "/api/v1/directory/users/" + id + "/account", admin(), "{\"enabled\":false}");
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.json().get("accountEnabled").asBoolean()).isFalse();
        assertThat(client.get("/api/v1/directory/users/" + id, compliance())
                        .json()
                        .get("accountEnabled")
                        .asBoolean())
                .isFalse();
        assertThat(client.call("PUT", "/api/v1/directory/users/" + id + "/account", admin(), "{\"enabled\":true}")
                        .json()
                        .get("accountEnabled")
                        .asBoolean())
                .isTrue();
        assertThat(client.call("PUT", "/api/v1/directory/users/nobody/account", admin(), "{\"enabled\":true}")
                        .status())
                .isEqualTo(404);
        assertThat(client.get("/api/v1/directory/users", secops()).json())
                .anySatisfy(user -> assertThat(user.get("id").asString()).isEqualTo(id));
        assertThat(client.get("/api/v1/audit/events?action=directory.account_disabled&limit=5", compliance())
                        .json()
                        .get("items"))
                .anySatisfy(event ->
                        assertThat(event.get("target").get("id").asString()).isEqualTo(id));
    }
}
