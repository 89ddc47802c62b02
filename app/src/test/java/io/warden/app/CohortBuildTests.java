package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The imaging cohort builder through the real app: the demo COHORT_BUILDER agent's owner builds an index of
 * Debian's pydicom DICOM files with the cohort-index-build process, follows its steps, reads its 2-D map,
 * searches it, and an agent searches it through the gateway with filters; a newer run replaces it; a kill
 * switch stops a run; bad requests name the field at fault.
 */
class CohortBuildTests extends IntegrationTest {

    static final Path FIXTURES = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
    static final Path ARCHIVE = DATA.resolve("archives/pydicom");

    @BeforeAll
    static void archive() throws IOException {
        try (Stream<Path> files = Files.walk(FIXTURES)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = ARCHIVE.resolve(FIXTURES.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
    }

    static String builderId() {
        return agentByClientId("demo-cohort-builder").get("id").asString();
    }

    /** Registers a folder as a data source bound to a scope, once per test JVM; its key. */
    static synchronized String source(String key, Path folder, String scope) {
        if (client.get("/api/v1/data-sources/" + key, admin()).status() == 404) {
            var created = client.call("POST", "/api/v1/data-sources", admin(), """
                    {"key":"%s","displayName":"%s","kind":"FOLDER","location":"%s","scopeKey":"%s"}""".formatted(key, key, folder, scope));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        return key;
    }

    static String archiveSource() {
        return source("pydicom-archive", ARCHIVE, "imaging-ct-deid");
    }

    static String start(String cohort, String token) {
        return start(builderId(), cohort, archiveSource(), token);
    }

    static String start(String builder, String cohort, String source, String token) {
        var started = client.call("POST", "/api/v1/cohort-runs", token, """
                {"agentId":"%s","cohort":"%s","source":"%s"}""".formatted(builder, cohort, source));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        assertThat(started.json().get("status").asString()).isEqualTo("RUNNING");
        return started.json().get("id").asString();
    }

    static JsonNode finished(String runId) {
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> !client.get("/api/v1/cohort-runs/" + runId, owner())
                        .json()
                        .get("status")
                        .asString()
                        .equals("RUNNING"));
        return client.get("/api/v1/cohort-runs/" + runId, owner()).json();
    }

    static String orchestrator() {
        return client.agentToken("demo-orchestrator-specialist", "demo-orchestrator-specialist-secret");
    }

    @Test
    void anOwnerBuildsACohortThatPeopleExploreAndAgentsSearchThroughTheGateway() {
        String runId = start("pydicom", owner());
        JsonNode run = finished(runId);
        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("PUBLISHED");
        assertThat(run.get("series").asInt()).isGreaterThan(20);
        assertThat(run.get("skipped").asInt())
                .as("the damaged and non-DICOM files, each with a reason")
                .isPositive();
        assertThat(run.get("indexVersion").asLong()).isPositive();
        String collection = run.get("collection").asString();
        assertThat(collection)
                .as("the builder's own collection")
                .startsWith("cohort-")
                .endsWith("-pydicom")
                .contains(builderId().replace("-", "").substring(0, 12));
        assertThat(run.get("dataset").asString()).as("the source's scope").isEqualTo("imaging-ct-deid");
        assertThat(run.get("sourceKey").asString()).isEqualTo("pydicom-archive");
        assertThat(run.get("steps")).hasSize(7).allSatisfy(step -> {
            assertThat(step.get("status").asString()).as(step.toString()).isEqualTo("DONE");
            assertThat(step.get("startedAt").isNull()).isFalse();
        });

        JsonNode points = client.get("/api/v1/cohort-runs/" + runId + "/points", compliance())
                .json();
        assertThat(points).hasSize(run.get("series").asInt());
        JsonNode spine = null;
        for (JsonNode point : points) {
            if ("Cervical LAT".equals(point.get("seriesDescription").asString())) {
                spine = point;
            }
        }
        assertThat(spine).isNotNull();
        assertThat(spine.get("anatomy").asString()).isEqualTo("SPINE");
        assertThat(spine.get("tier").asString()).isEqualTo("BODY_PART_EXAMINED");

        JsonNode matches = client.get(
                        "/api/v1/cohort-runs/" + runId
                                + "/search?q=lateral%20radiograph%20of%20the%20cervical%20spine&k=3",
                        owner())
                .json();
        assertThat(matches).hasSize(3);
        assertThat(matches.get(0).get("description").asString()).containsIgnoringCase("spine");

        var search = client.call("POST", "/gateway/v1/cohort-search", orchestrator(), """
                {"collection":"%s","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"MR of the brain","k":5,
                 "filter":{"modality":"mr","minSlices":"2"}}""".formatted(collection));
        assertThat(search.status()).as(search.body()).isEqualTo(200);
        JsonNode hits = search.json().get("hits");
        assertThat(hits).isNotEmpty();
        Set<String> series = new HashSet<>();
        for (JsonNode hit : hits) {
            assertThat(series.add(hit.get("id").asString()))
                    .as("one hit per series")
                    .isTrue();
            assertThat(hit.get("metadata").get("modality").asString()).isEqualTo("MR");
            assertThat(hit.get("metadata").get("slices").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(hit.get("metadata").get("dataset").asString()).isEqualTo("imaging-ct-deid");
        }

        var badFilter = client.call("POST", "/gateway/v1/cohort-search", orchestrator(), """
                {"collection":"%s","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"brain","k":5,
                 "filter":{"minSlices":"many"}}""".formatted(collection));
        assertThat(badFilter.status()).isEqualTo(400);
        assertThat(badFilter.contentType()).startsWith("application/problem+json");
        assertThat(badFilter.body()).contains("minSlices");

        // a newer run replaces this one: its artifacts go, the collection moves to the new version
        String newer = start("pydicom", admin());
        JsonNode second = finished(newer);
        assertThat(second.get("status").asString()).isEqualTo("PUBLISHED");
        assertThat(second.get("indexVersion").asLong())
                .isGreaterThan(run.get("indexVersion").asLong());
        assertThat(client.get("/api/v1/cohort-runs/" + runId, owner())
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("REPLACED");
        var gone = client.get("/api/v1/cohort-runs/" + runId + "/points", owner());
        assertThat(gone.status()).isEqualTo(409);
        assertThat(client.get("/api/v1/cohort-runs", owner())
                        .json()
                        .get(0)
                        .get("id")
                        .asString())
                .isEqualTo(newer);

        // a kept run is built again from its artifacts; a replaced one cannot be
        var again = client.call("POST", "/api/v1/cohort-runs/" + newer + "/republish", owner(), null);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("indexVersion").asLong())
                .isEqualTo(second.get("indexVersion").asLong() + 1);
        assertThat(client.call("POST", "/api/v1/cohort-runs/" + runId + "/republish", owner(), null)
                        .status())
                .isEqualTo(409);
        assertThat(client.call("POST", "/api/v1/cohort-runs/" + newer + "/republish", compliance(), null)
                        .status())
                .isEqualTo(403);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode published = client.get("/api/v1/audit/events?action=cohort.run_published&limit=10", compliance())
                    .json()
                    .get("items");
            assertThat(published.toString()).contains(runId, newer);
        });
    }

    @Test
    void aRunWhoseArtifactsAreNotHereIsRefusedWithAReasonNotAFailure() throws IOException {
        String runId = start("elsewhere", owner());
        // at once: the run has not projected yet
        var early = client.get("/api/v1/cohort-runs/" + runId + "/points", owner());
        assertThat(early.status()).as(early.body()).isEqualTo(409);
        assertThat(early.json().get("code").asString()).isEqualTo("cohort-run-not-ready");
        assertThat(finished(runId).get("status").asString()).isEqualTo("PUBLISHED");

        // the run's folder is not on this instance, as when another instance built it on storage this one does not
        // share
        Path folder = DATA.resolve("cohort-runs").resolve(runId);
        Path aside = DATA.resolve("cohort-runs-aside-" + runId);
        Files.move(folder, aside);
        try {
            for (String path : List.of("/points", "/search?q=brain")) {
                var refused = client.get("/api/v1/cohort-runs/" + runId + path, owner());
                assertThat(refused.status()).as(refused.body()).isEqualTo(409);
                assertThat(refused.contentType()).startsWith("application/problem+json");
                assertThat(refused.json().get("code").asString()).isEqualTo("cohort-run-artifacts-elsewhere");
                assertThat(refused.json().get("detail").asString()).contains("warden.cohort.runs-dir");
            }
        } finally {
            Files.move(aside, folder);
        }
        assertThat(client.get("/api/v1/cohort-runs/" + runId + "/points", owner())
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aKillSwitchOnCohortBuildsRefusesNewRunsAndStopsARunningOne() {
        String runId = start("stopped", owner());
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"TOOL\",\"target\":\"cohort-build\",\"reason\":\"cohort test\"}");
        assertThat(engaged.status()).as(engaged.body()).isEqualTo(201);
        try {
            JsonNode run = finished(runId);
            assertThat(run.get("status").asString()).isEqualTo("FAILED");
            assertThat(run.get("message").asString()).contains("kill switch");
            var refused =
                    client.call("POST", "/api/v1/cohort-runs", owner(), """
                    {"agentId":"%s","cohort":"stopped","source":"%s"}""".formatted(builderId(), archiveSource()));
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().get("code").asString()).isEqualTo("cohort-builder-stopped");
        } finally {
            client.call(
                    "POST",
                    "/api/v1/kill-switches/" + engaged.json().get("id").asString() + "/release",
                    admin(),
                    "{\"reason\":\"test over\"}");
        }
    }

    @Test
    void badRequestsNameTheFieldAtFaultAndStartNothing() {
        int before = client.get("/api/v1/cohort-runs", owner()).json().size();
        String builder = builderId();
        String source = archiveSource();
        assertField("""
                {"agentId":"%s","cohort":"x","source":"no-such-source"}""".formatted(builder), "source");
        assertField("""
                {"agentId":"%s","cohort":"x"}""".formatted(builder), "source");
        assertField("""
                {"agentId":"%s","cohort":"x","source":{"folder":"%s"}}""".formatted(builder, ARCHIVE), null);
        assertField("""
                {"agentId":"%s","cohort":"x","dataset":"imaging-ct-deid","source":"%s"}""".formatted(builder, source), null);
        assertField("""
                {"agentId":"%s","cohort":"Not A Name","source":"%s"}""".formatted(builder, source), "cohort");
        assertField(
                """
                {"agentId":"%s","cohort":"x","source":"%s"}""".formatted(agentByClientId("demo-retrieval-agent").get("id").asString(), source), "agentId");
        var forbidden = client.call("POST", "/api/v1/cohort-runs", compliance(), """
                {"agentId":"%s","cohort":"x","source":"%s"}""".formatted(builder, source));
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(client.get("/api/v1/cohort-runs/no-such-run", owner()).status())
                .isEqualTo(404);
        assertThat(client.get("/api/v1/cohort-runs", owner()).json().size())
                .as("nothing started")
                .isEqualTo(before);
    }

    /** Refused as bad input, naming the field (or, for unknown and malformed members, at least as problem+json). */
    private static void assertField(String body, @Nullable String field) {
        var refused = client.call("POST", "/api/v1/cohort-runs", owner(), body);
        assertThat(refused.status()).as(refused.body()).isIn(400, 422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        if (field != null) {
            assertThat(refused.json().get("field").asString())
                    .as(refused.body())
                    .isEqualTo(field);
        }
    }
}
