package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * People's reads of cohort runs through the real app: decided on the group entitlements (a person without one
 * is refused, one who has it reads and the read is audited with reader and purpose), following group
 * membership as it changes, stopped by a DATASET kill switch; and the group entitlement API's bad input.
 */
class CohortReadTests extends IntegrationTest {

    static final String OTTO = "3f1c2a9e-7b1d-4e0a-9c11-000000000a02";
    static final String SAM = "3f1c2a9e-7b1d-4e0a-9c11-000000000a05";
    static final Path ARCHIVE = DATA.resolve("archives/reads");
    static String runId = "";

    @Autowired
    JdbcClient jdbc;

    /** Built once, on the first test: the app starts with the first test instance, after any @BeforeAll. */
    @BeforeEach
    void aPublishedRun() throws Exception {
        if (!runId.isEmpty()) {
            return;
        }
        try (var files = Files.walk(CohortBuildTests.FIXTURES)) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                var target = ARCHIVE.resolve(
                        CohortBuildTests.FIXTURES.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        String source = CohortBuildTests.source("reads-archive", ARCHIVE, "imaging-ct-deid");
        var started = client.call(
                "POST", "/api/v1/cohort-runs", owner(), """
                {"agentId":"%s","cohort":"reads","source":"%s"}""".formatted(CohortBuildTests.builderId(), source));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        runId = started.json().get("id").asString();
        await().atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> !client.get("/api/v1/cohort-runs/" + runId, admin())
                        .json()
                        .get("status")
                        .asString()
                        .equals("RUNNING"));
        assertThat(client.get("/api/v1/cohort-runs/" + runId, admin())
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("PUBLISHED");
    }

    @Test
    void aPersonWithoutAnEntitlementIsRefusedPointsAndSearchAndTheListOmitsTheRun() {
        for (String path : List.of("/points", "/search?q=brain", "")) {
            var refused = client.get("/api/v1/cohort-runs/" + runId + path, secops());
            assertThat(refused.status()).as(path + ": " + refused.body()).isEqualTo(403);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.json().get("code").asString()).isEqualTo("not-entitled");
        }
        assertThat(ids(client.get("/api/v1/cohort-runs", secops()).json())).doesNotContain(runId);
        JsonNode denied = reads(SAM).getFirst();
        assertThat(denied.get("decision").asString()).isEqualTo("DENY");
        assertThat(denied.get("reasons").get(0).asString()).isEqualTo("SCOPE_NOT_GRANTED");
    }

    @Test
    void anEntitledReaderReadsAndTheReadIsAuditedWithReaderAndPurposeNotTheQuery() throws Exception {
        assertThat(ids(client.get("/api/v1/cohort-runs", owner()).json())).contains(runId);
        var points = client.get("/api/v1/cohort-runs/" + runId + "/points", owner());
        assertThat(points.status()).as(points.body()).isEqualTo(200);
        String query = "lateral radiograph of the cervical spine";
        var search =
                client.get("/api/v1/cohort-runs/" + runId + "/search?q=" + query.replace(" ", "%20") + "&k=3", owner());
        assertThat(search.status()).as(search.body()).isEqualTo(200);

        List<JsonNode> reads = reads(OTTO);
        JsonNode searched = reads.stream()
                .filter(each -> "search".equals(each.get("details").get("view").asString()))
                .findFirst()
                .orElseThrow();
        assertThat(searched.get("actor").get("id").asString()).isEqualTo(OTTO);
        assertThat(searched.get("target").get("id").asString()).isEqualTo(runId);
        assertThat(searched.get("dataset").asString()).isEqualTo("imaging-ct-deid");
        assertThat(searched.get("purposeOfUse").asString())
                .as("the mapping's only purpose")
                .isEqualTo("HRESCH");
        assertThat(searched.get("decision").asString()).isEqualTo("PERMIT");
        assertThat(searched.get("requestDigest").asString()).isEqualTo(sha256(query));
        assertThat(searched.toString()).doesNotContain("cervical");
        assertThat(reads)
                .anyMatch(
                        each -> "points".equals(each.get("details").get("view").asString()));

        // where the run reads from is for admins only
        assertThat(client.get("/api/v1/cohort-runs/" + runId, owner())
                        .json()
                        .get("source")
                        .asString())
                .isEmpty();
        assertThat(client.get("/api/v1/cohort-runs/" + runId, admin())
                        .json()
                        .get("source")
                        .asString())
                .isEqualTo(ARCHIVE.toString());
        // oversight reads every run, under health system administration by default
        assertThat(client.get("/api/v1/cohort-runs/" + runId + "/points", compliance())
                        .status())
                .isEqualTo(200);
        assertThat(reads("3f1c2a9e-7b1d-4e0a-9c11-000000000a04")
                        .getFirst()
                        .get("purposeOfUse")
                        .asString())
                .isEqualTo("HSYSADMIN");
    }

    @Test
    void aRunWhoseSourceWasBoundToAnotherScopeIsNotReadAndNotRepublishedUntilRebuilt() {
        JsonNode source =
                client.get("/api/v1/data-sources/reads-archive", admin()).json();
        String moved = """
                {"displayName":"reads-archive","kind":"FOLDER","location":"%s","scopeKey":"%s","version":%d}""";
        var rebound = client.call(
                "PUT",
                "/api/v1/data-sources/reads-archive",
                admin(),
                moved.formatted(
                        source.get("location").asString(),
                        "wound-images-deid",
                        source.get("version").asLong()));
        assertThat(rebound.status()).as(rebound.body()).isEqualTo(200);
        try {
            var refused = client.get("/api/v1/cohort-runs/" + runId + "/points", owner());
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);
            assertThat(refused.json().get("code").asString()).isEqualTo("cohort-source-changed");
            assertThat(ids(client.get("/api/v1/cohort-runs", owner()).json())).doesNotContain(runId);
            var republished = client.call("POST", "/api/v1/cohort-runs/" + runId + "/republish", owner(), null);
            assertThat(republished.status()).as(republished.body()).isEqualTo(409);
            assertThat(republished.json().get("code").asString()).isEqualTo("cohort-source-changed");
        } finally {
            var restored = client.call(
                    "PUT",
                    "/api/v1/data-sources/reads-archive",
                    admin(),
                    moved.formatted(
                            source.get("location").asString(),
                            "imaging-ct-deid",
                            source.get("version").asLong() + 1));
            assertThat(restored.status()).as(restored.body()).isEqualTo(200);
        }
        assertThat(client.get("/api/v1/cohort-runs/" + runId + "/points", owner())
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aSuspendedBuildersRunIsNotRepublished() {
        String builder = CohortBuildTests.builderId();
        assertThat(client.call("POST", "/api/v1/agents/" + builder + "/suspend", admin(), "{\"reason\":\"checking\"}")
                        .status())
                .isEqualTo(200);
        try {
            var refused = client.call("POST", "/api/v1/cohort-runs/" + runId + "/republish", owner(), null);
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        } finally {
            assertThat(client.call(
                                    "POST",
                                    "/api/v1/agents/" + builder + "/reinstate",
                                    admin(),
                                    "{\"reason\":\"checked\"}")
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void theEntitlementFollowsGroupMembership() {
        String group = "g-readers-" + System.nanoTime();
        jdbc.sql("insert into directory_group (id, display_name, updated_at) values (:id, 'Cohort readers', now())")
                .param("id", group)
                .update();
        var created = client.call("POST", "/api/v1/group-entitlements", admin(), """
                {"groupId":"%s","scope":"imaging-ct-deid","purposes":["HRESCH","TREAT"]}""".formatted(group));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("groupName").asString()).isEqualTo("Cohort readers");
        String id = created.json().get("id").asString();
        String points = "/api/v1/cohort-runs/" + runId + "/points";
        try {
            assertThat(client.get(points + "?purposeOfUse=TREAT", secops()).status())
                    .as("not a member yet")
                    .isEqualTo(403);

            jdbc.sql("insert into directory_group_member (group_id, member_id) values (:g, :m)")
                    .param("g", group)
                    .param("m", SAM)
                    .update();
            var read = client.get(points + "?purposeOfUse=TREAT", secops());
            assertThat(read.status()).as(read.body()).isEqualTo(200);
            assertThat(reads(SAM).getFirst().get("purposeOfUse").asString()).isEqualTo("TREAT");
            var which = client.get(points, secops());
            assertThat(which.status()).as("two purposes: the reader names one").isEqualTo(400);
            assertThat(which.json().get("field").asString()).isEqualTo("purposeOfUse");
            var notHeld = client.get(points + "?purposeOfUse=HOPERAT", secops());
            assertThat(notHeld.status()).isEqualTo(403);
            assertThat(notHeld.json().get("code").asString()).isEqualTo("purpose-not-granted");

            jdbc.sql("delete from directory_group_member where group_id = :g and member_id = :m")
                    .param("g", group)
                    .param("m", SAM)
                    .update();
            assertThat(client.get(points + "?purposeOfUse=TREAT", secops()).status())
                    .as("removed from the group")
                    .isEqualTo(403);
        } finally {
            jdbc.sql("delete from directory_group_member where group_id = :g")
                    .param("g", group)
                    .update();
            var deleted = client.call("DELETE", "/api/v1/group-entitlements/" + id + "?version=1", admin(), null);
            assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
        }
        JsonNode audited = client.get("/api/v1/audit/events?action=group_entitlement.deleted&limit=5", compliance())
                .json()
                .get("items")
                .get(0);
        assertThat(audited.get("details").get("oldPurposes").asString())
                .isEqualTo("TREAT,HRESCH"); // in PurposeOfUse order
        assertThat(audited.get("actor").get("id").asString()).isEqualTo("3f1c2a9e-7b1d-4e0a-9c11-000000000a01");
    }

    @Test
    void aDatasetKillSwitchStopsCohortReadsForEveryone() {
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"DATASET\",\"target\":\"imaging-ct-deid\",\"reason\":\"cohort read test\"}");
        assertThat(engaged.status()).as(engaged.body()).isEqualTo(201);
        try {
            for (String token : List.of(owner(), admin())) {
                for (String path : List.of("/points", "/search?q=brain")) {
                    var stopped = client.get("/api/v1/cohort-runs/" + runId + path, token);
                    assertThat(stopped.status()).as(stopped.body()).isEqualTo(403);
                    assertThat(stopped.json().get("code").asString()).isEqualTo("kill-switch");
                    assertThat(stopped.json().get("reasons").get(0).asString()).isEqualTo("KILL_SWITCH");
                }
            }
        } finally {
            client.call(
                    "POST",
                    "/api/v1/kill-switches/" + engaged.json().get("id").asString() + "/release",
                    admin(),
                    "{\"reason\":\"test over\"}");
        }
        assertThat(client.get("/api/v1/cohort-runs/" + runId + "/points", owner())
                        .status())
                .isEqualTo(200);
    }

    @Test
    void groupEntitlementBadInputNamesTheFieldAndChangesNothing() {
        String group = "g-bad-" + System.nanoTime();
        jdbc.sql("insert into directory_group (id, display_name, updated_at) values (:id, 'Bad input', now())")
                .param("id", group)
                .update();
        int before = client.get("/api/v1/group-entitlements", admin()).json().size();
        assertField(
                "{\"groupId\":\"no-such-group\",\"scope\":\"imaging-ct-deid\",\"purposes\":[\"HRESCH\"]}", "groupId");
        assertField(
                "{\"groupId\":\"%s\",\"scope\":\"no-such-scope\",\"purposes\":[\"HRESCH\"]}".formatted(group), "scope");
        assertField(
                "{\"groupId\":\"%s\",\"scope\":\"dermatology-phi\",\"purposes\":[\"HRESCH\"]}".formatted(group),
                "purposes");
        assertField("{\"groupId\":\"%s\",\"scope\":\"imaging-ct-deid\",\"purposes\":[]}".formatted(group), "purposes");
        assertField(
                "{\"groupId\":\"%s\",\"scope\":\"imaging-ct-deid\",\"purposes\":[\"NOPE\"]}".formatted(group), null);
        assertThat(client.get("/api/v1/group-entitlements", admin()).json().size())
                .isEqualTo(before);

        var created = client.call(
                "POST",
                "/api/v1/group-entitlements",
                admin(),
                "{\"groupId\":\"%s\",\"scope\":\"wound-images-deid\",\"purposes\":[\"TREAT\"]}".formatted(group));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asString();
        var twice = client.call(
                "POST",
                "/api/v1/group-entitlements",
                admin(),
                "{\"groupId\":\"%s\",\"scope\":\"wound-images-deid\",\"purposes\":[\"TREAT\"]}".formatted(group));
        assertThat(twice.status()).isEqualTo(409);
        var updated = client.call(
                "PUT", "/api/v1/group-entitlements/" + id, admin(), "{\"purposes\":[\"HQUALIMP\"],\"version\":1}");
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        assertThat(updated.json().get("version").asLong()).isEqualTo(2);
        var stale = client.call(
                "PUT", "/api/v1/group-entitlements/" + id, admin(), "{\"purposes\":[\"TREAT\"],\"version\":1}");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.json().get("code").asString()).isEqualTo("stale-version");
        var notAllowed = client.call(
                "PUT", "/api/v1/group-entitlements/" + id, admin(), "{\"purposes\":[\"CLINTRCH\"],\"version\":2}");
        assertThat(notAllowed.status()).isEqualTo(400);
        assertThat(notAllowed.json().get("field").asString()).isEqualTo("purposes");
        JsonNode audited = client.get("/api/v1/audit/events?action=group_entitlement.updated&limit=5", compliance())
                .json()
                .get("items")
                .get(0);
        assertThat(audited.get("details").get("oldPurposes").asString()).isEqualTo("TREAT");
        assertThat(audited.get("details").get("newPurposes").asString()).isEqualTo("HQUALIMP");
        assertThat(client.call("DELETE", "/api/v1/group-entitlements/" + id + "?version=1", admin(), null)
                        .status())
                .isEqualTo(409);
        assertThat(client.call("DELETE", "/api/v1/group-entitlements/" + id + "?version=2", admin(), null)
                        .status())
                .isEqualTo(204);
    }

    private static void assertField(String body, @Nullable String field) {
        var refused = client.call("POST", "/api/v1/group-entitlements", admin(), body);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        if (field != null) {
            assertThat(refused.json().get("field").asString())
                    .as(refused.body())
                    .isEqualTo(field);
        }
    }

    /** The reader's cohort.read records on the test run, newest first. */
    private static List<JsonNode> reads(String reader) {
        JsonNode items = client.get(
                        "/api/v1/audit/events?action=cohort.read&actor=" + reader + "&limit=20", compliance())
                .json()
                .get("items");
        List<JsonNode> found = StreamSupport.stream(items.spliterator(), false)
                .filter(each -> runId.equals(each.get("target").get("id").asString()))
                .toList();
        assertThat(found).as("cohort.read records of " + reader).isNotEmpty();
        return found;
    }

    private static List<String> ids(JsonNode runs) {
        return StreamSupport.stream(runs.spliterator(), false)
                .map(each -> each.get("id").asString())
                .toList();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
