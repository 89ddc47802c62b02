package io.warden.app;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The data-source catalogue through the real app: admins register, change and remove sources (each change in the
 * audit trail with its actor, before and after); other people see which sources exist but not where they are; bad
 * input is a problem naming the field, and a folder outside the archive roots is refused as one that is missing.
 */
class DataSourceApiTests extends IntegrationTest {

    static String body(String key, String location, String scope) {
        return """
                {"key":"%s","displayName":"Source %s","kind":"FOLDER","location":"%s","scopeKey":"%s"}""".formatted(key, key, location, scope);
    }

    @Test
    void anAdminRegistersChangesAndRemovesASourceAndEveryChangeIsAudited() throws IOException {
        Path folder = Files.createDirectories(DATA.resolve("archives/api-ct"));
        var created = client.call(
                "POST", "/api/v1/data-sources", admin(), body("api-ct", folder + "/../api-ct", "imaging-ct-deid"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("location").asString())
                .as("stored as its real path")
                .isEqualTo(folder.toRealPath().toString());
        assertThat(created.json().get("sensitivity").asString())
                .as("from its scope")
                .isNotBlank();
        assertThat(created.json().get("version").asLong()).isEqualTo(1);

        JsonNode seen = client.get("/api/v1/data-sources/api-ct", owner()).json();
        assertThat(seen.get("scopeKey").asString()).isEqualTo("imaging-ct-deid");
        assertThat(seen.has("location"))
                .as("no server paths for people other than admins")
                .isFalse();
        assertThat(client.get("/api/v1/data-sources", compliance()).body())
                .contains("api-ct")
                .doesNotContain(folder.toString());
        assertThat(client.get("/api/v1/data-sources", admin()).body())
                .contains(folder.toRealPath().toString());

        var stale = client.call("PUT", "/api/v1/data-sources/api-ct", admin(), """
                {"displayName":"CT","kind":"FOLDER","location":"%s","scopeKey":"imaging-ct-deid","version":7}""".formatted(folder));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.json().get("field").asString()).isEqualTo("version");
        var changed = client.call("PUT", "/api/v1/data-sources/api-ct", admin(), """
                {"displayName":"CT archive","kind":"FOLDER","location":"%s","scopeKey":"imaging-ct-deid","version":1}""".formatted(folder));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("version").asLong()).isEqualTo(2);
        assertThat(client.call("DELETE", "/api/v1/data-sources/api-ct?version=1", admin(), null)
                        .status())
                .isEqualTo(409);
        assertThat(client.call("DELETE", "/api/v1/data-sources/api-ct?version=2", admin(), null)
                        .status())
                .isEqualTo(204);
        assertThat(client.get("/api/v1/data-sources/api-ct", admin()).status()).isEqualTo(404);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String events = client.get("/api/v1/audit/events?limit=50", compliance())
                    .json()
                    .get("items")
                    .toString();
            assertThat(events)
                    .contains("data_source.registered", "data_source.changed", "data_source.removed", "api-ct");
            JsonNode change = null;
            for (JsonNode event : client.get("/api/v1/audit/events?action=data_source.changed&limit=20", compliance())
                    .json()
                    .get("items")) {
                if (event.toString().contains("api-ct")) {
                    change = event;
                }
            }
            assertThat(change).isNotNull();
            assertThat(change.toString()).contains("Source api-ct", "CT archive", "v1", "v2");
        });
    }

    @Test
    void badInputNamesTheFieldAndAFolderOutsideTheRootsIsRefusedAsOneThatIsMissing() throws IOException {
        Path inside = Files.createDirectories(DATA.resolve("archives/api-bad"));
        refused(body("Bad Key", inside.toString(), "imaging-ct-deid"), "key");
        refused(body("api-bad", inside.toString(), "no-such-scope"), "scopeKey");
        refused("""
                {"key":"api-bad","displayName":"x","kind":"TAPE","location":"%s","scopeKey":"imaging-ct-deid"}""".formatted(inside), null);
        refused("""
                {"key":"api-bad","displayName":"x","kind":"DICOMWEB","location":"no-such-server","scopeKey":"imaging-ct-deid"}""", "location");
        refused("""
                {"key":"api-bad","displayName":"x","kind":"FOLDER","location":"%s","scopeKey":"imaging-ct-deid","extra":1}""".formatted(inside), null);

        String outside = refused(body("api-bad", "/etc", "imaging-ct-deid"), "location");
        String missing = refused(body("api-bad", "/etc-no-such-folder", "imaging-ct-deid"), "location");
        String escaping = refused(body("api-bad", inside + "/../../..", "imaging-ct-deid"), "location");
        assertThat(outside.replace("/etc", "X"))
                .as("one refusal for outside and missing")
                .isEqualTo(missing.replace("/etc-no-such-folder", "X"));
        assertThat(escaping).contains("is not a folder under an archive root");

        // a folder inside another source's folder must share its scope
        Path outer = Files.createDirectories(DATA.resolve("archives/api-outer/inner"));
        assertThat(client.call(
                                "POST",
                                "/api/v1/data-sources",
                                admin(),
                                body(
                                        "api-outer",
                                        requireNonNull(outer.getParent()).toString(),
                                        "imaging-ct-deid"))
                        .status())
                .isEqualTo(201);
        refused(body("api-inner", outer.toString(), "dermatology-phi"), "location");
        assertThat(client.get("/api/v1/data-sources/api-bad", admin()).status())
                .as("nothing half-written")
                .isEqualTo(404);
    }

    private static String refused(String body, @Nullable String field) {
        var response = client.call("POST", "/api/v1/data-sources", admin(), body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        if (field != null) {
            assertThat(response.json().get("field").asString())
                    .as(response.body())
                    .isEqualTo(field);
        }
        return response.json().get("detail").asString();
    }
}
