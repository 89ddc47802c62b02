package io.warden.app;

import static io.warden.app.CohortBuildTests.FIXTURES;
import static io.warden.app.CohortBuildTests.builderId;
import static io.warden.app.CohortBuildTests.finished;
import static io.warden.app.CohortBuildTests.orchestrator;
import static io.warden.app.CohortBuildTests.source;
import static io.warden.app.CohortBuildTests.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.clinical.dicom.DicomFolderScan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds read registered data sources only, and cohorts belong to their builder: the takeover of one owner's cohort
 * by another owner's builder using the same name is refused, a builder cannot read a source outside its scopes,
 * links out of a source are skipped with a reason, a cohort is served only while its builder is ACTIVE, and admins
 * transfer a cohort to another builder.
 */
class CohortSourcesAndOwnersTests extends IntegrationTest {

    static final String OLIVIA = "3f1c2a9e-7b1d-4e0a-9c11-000000000a03";
    static final Path SMALL = DATA.resolve("archives/small");
    static final Path LINKED = DATA.resolve("archives/linked");
    static final Path PHI = DATA.resolve("archives/phi");

    @BeforeAll
    static void archives() throws IOException {
        for (Path folder : List.of(SMALL, LINKED, PHI)) {
            Files.createDirectories(folder);
        }
        for (String file :
                List.of("CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "693_J2KI.dcm", "SC_rgb_gdcm_KY.dcm")) {
            Files.copy(FIXTURES.resolve(file), SMALL.resolve(file));
        }
        Files.copy(FIXTURES.resolve("CT_small.dcm"), PHI.resolve("CT_small.dcm"));
        Files.copy(FIXTURES.resolve("CT_small.dcm"), LINKED.resolve("CT_small.dcm"));
        Files.createDirectories(LINKED.resolve("sub"));
        Files.copy(FIXTURES.resolve("JPEG2000.dcm"), LINKED.resolve("sub/JPEG2000.dcm"));
        // inside the source: read where it really is
        Files.createSymbolicLink(LINKED.resolve("inside.dcm"), LINKED.resolve("sub/JPEG2000.dcm"));
        // out of the archive root, to a real DICOM file; to nothing; to a folder outside
        Files.createSymbolicLink(LINKED.resolve("outside.dcm"), FIXTURES.resolve("MR_small.dcm"));
        Files.createSymbolicLink(LINKED.resolve("dangling.dcm"), DATA.resolve("no-such-file.dcm"));
        Files.createSymbolicLink(LINKED.resolve("elsewhere"), FIXTURES);
    }

    /** A second owner's ACTIVE COHORT_BUILDER, holding the same de-identified scope as the demo builder. */
    static synchronized String oliviasBuilder() {
        for (JsonNode agent :
                client.get("/api/v1/agents?size=100", admin()).json().get("items")) {
            if (agent.get("name").asString().startsWith("Olivia's cohort builder")
                    && agent.get("status").asString().equals("ACTIVE")) {
                return agent.get("id").asString();
            }
        }
        var registered = client.call("POST", "/api/v1/agents", admin(), """
                {"name":"Olivia's cohort builder %s","kind":"COHORT_BUILDER","purpose":"Builds her team's CT cohorts","ownerId":"%s",
                 "dataScopes":["imaging-ct-deid"],"tools":[]}""".formatted(UUID.randomUUID(), OLIVIA));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        String approval = client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();
        assertThat(client.call(
                                "POST",
                                "/api/v1/approvals/" + approval + "/approve",
                                compliance(),
                                "{\"reason\":\"ok\"}")
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.get("/api/v1/agents/" + id, admin())
                        .json()
                        .get("status")
                        .asString()
                        .equals("ACTIVE"));
        return id;
    }

    static String olivia() {
        return client.personToken("olivia.owner");
    }

    static int search(String collection) {
        return client.call("POST", "/gateway/v1/cohort-search", orchestrator(), """
                {"collection":"%s","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"CT of the chest","k":3}""".formatted(collection))
                .status();
    }

    @Test
    void aSecondBuilderUsingTheFirstsCohortNameGetsItsOwnCohortAndTheFirstStaysPublished() {
        String small = source("small-archive", SMALL, "imaging-ct-deid");
        JsonNode first = finished(start(builderId(), "shared", small, owner()));
        assertThat(first.get("status").asString()).as(first.toString()).isEqualTo("PUBLISHED");
        String firstCollection = first.get("collection").asString();

        String olivias = oliviasBuilder();
        JsonNode second = finished(start(olivias, "shared", small, olivia()));
        assertThat(second.get("status").asString()).as(second.toString()).isEqualTo("PUBLISHED");

        assertThat(second.get("collection").asString())
                .as("collections never collide across builders")
                .isNotEqualTo(firstCollection);
        JsonNode firstAfter = client.get(
                        "/api/v1/cohort-runs/" + first.get("id").asString(), owner())
                .json();
        assertThat(firstAfter.get("status").asString())
                .as("the first owner's run is not replaced")
                .isEqualTo("PUBLISHED");
        assertThat(firstAfter.get("collection").asString()).isEqualTo(firstCollection);
        assertThat(firstAfter.get("indexVersion").asLong())
                .as("its collection unchanged")
                .isEqualTo(first.get("indexVersion").asLong());
        assertThat(client.get("/api/v1/cohort-runs/" + first.get("id").asString() + "/points", owner())
                        .status())
                .isEqualTo(200);
        assertThat(search(firstCollection)).isEqualTo(200);

        // a cohort is served only while its builder is ACTIVE
        assertThat(search(second.get("collection").asString())).isEqualTo(200);
        assertThat(client.call(
                                "POST",
                                "/api/v1/agents/" + olivias + "/suspend",
                                admin(),
                                "{\"reason\":\"cohort test\"}")
                        .status())
                .isEqualTo(200);
        var dark = client.call("POST", "/gateway/v1/cohort-search", orchestrator(), """
                {"collection":"%s","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"CT","k":3}""".formatted(
                        second.get("collection").asString()));
        assertThat(dark.status()).as(dark.body()).isEqualTo(403);
        assertThat(dark.body()).contains("COHORT_NOT_SERVED");
        assertThat(search(firstCollection))
                .as("another builder's cohort is still served")
                .isEqualTo(200);
        assertThat(client.call(
                                "POST",
                                "/api/v1/agents/" + olivias + "/reinstate",
                                admin(),
                                "{\"reason\":\"test over\"}")
                        .status())
                .isEqualTo(200);
        assertThat(search(second.get("collection").asString())).isEqualTo(200);

        // admins transfer a cohort; a builder that has a cohort of that name already cannot take another
        var taken = client.call(
                "POST", "/api/v1/cohorts/" + second.get("collection").asString() + "/transfer", admin(), """
                {"agentId":"%s","reason":"merge teams"}""".formatted(
                                builderId()));
        assertThat(taken.status()).as(taken.body()).isEqualTo(409);
        assertThat(taken.json().get("code").asString()).isEqualTo("cohort-name-taken");
        assertThat(client.call("POST", "/api/v1/cohorts/" + firstCollection + "/transfer", owner(), """
                {"agentId":"%s","reason":"mine now"}""".formatted(
                                        olivias))
                        .status())
                .isEqualTo(403);
        assertThat(client.call("POST", "/api/v1/cohorts/cohort-nothing/transfer", admin(), """
                {"agentId":"%s","reason":"r"}""".formatted(olivias))
                        .status())
                .isEqualTo(404);

        JsonNode handover = finished(start(builderId(), "handover", small, owner()));
        String handed = handover.get("collection").asString();
        var moved = client.call("POST", "/api/v1/cohorts/" + handed + "/transfer", admin(), """
                {"agentId":"%s","reason":"Olivia's team keeps it"}""".formatted(olivias));
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(moved.json().get("agentId").asString()).isEqualTo(olivias);
        String next = start(olivias, "handover", small, olivia());
        assertThat(client.get("/api/v1/cohort-runs/" + next, olivia())
                        .json()
                        .get("collection")
                        .asString())
                .as("the new owner's runs publish over the cohort it was given")
                .isEqualTo(handed);
        finished(next);
        String former = start(builderId(), "handover", small, owner());
        assertThat(client.get("/api/v1/cohort-runs/" + former, owner())
                        .json()
                        .get("collection")
                        .asString())
                .as("the former owner's builder gets a cohort of its own")
                .isNotEqualTo(handed);
        finished(former);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                client.get("/api/v1/audit/events?action=cohort.transferred&limit=10", compliance())
                                        .json()
                                        .get("items")
                                        .toString())
                        .contains(handed, "Olivia's team keeps it"));

        // retired, its cohorts are no longer served
        assertThat(client.call("POST", "/api/v1/agents/" + olivias + "/retire", admin(), "{\"reason\":\"team gone\"}")
                        .status())
                .isEqualTo(200);
        assertThat(search(second.get("collection").asString())).isEqualTo(403);
        assertThat(search(handed)).isEqualTo(403);
        var retiredRead = client.get("/api/v1/cohort-runs/" + second.get("id").asString() + "/points", olivia());
        assertThat(retiredRead.status()).as(retiredRead.body()).isEqualTo(403);
        assertThat(retiredRead.json().get("code").asString()).isEqualTo("cohort-retired");
        assertThat(client.get("/api/v1/cohort-runs/" + second.get("id").asString() + "/points", compliance())
                        .status())
                .as("compliance may still look at a retired cohort")
                .isEqualTo(200);
    }

    @Test
    void aBuilderCannotReadASourceOutsideItsScopesAndTheRefusalIsAudited() {
        String phi = source("phi-archive", PHI, "dermatology-phi");
        int before = client.get("/api/v1/cohort-runs", owner()).json().size();
        var refused = client.call("POST", "/api/v1/cohort-runs", owner(), """
                {"agentId":"%s","cohort":"phi","source":"%s"}""".formatted(builderId(), phi));
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("rule").asString()).isEqualTo("source-scope-not-granted");
        assertThat(refused.body()).doesNotContain(PHI.toString());
        assertThat(client.get("/api/v1/cohort-runs", owner()).json().size())
                .as("nothing started")
                .isEqualTo(before);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode events = client.get("/api/v1/audit/events?action=cohort.build_refused&limit=10", compliance())
                    .json()
                    .get("items");
            assertThat(events.toString()).contains("phi-archive", "dermatology-phi", "SCOPE_NOT_GRANTED");
        });
    }

    @Test
    void aLinkOutOfTheSourceIsSkippedWithAReasonThatDoesNotTellWhetherItsTargetExists() {
        String linked = source("linked-archive", LINKED, "imaging-ct-deid");
        JsonNode run = finished(start(builderId(), "linked", linked, owner()));
        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("PUBLISHED");
        assertThat(run.get("instances").asInt())
                .as("CT_small, sub/JPEG2000 and the link inside to it")
                .isEqualTo(3);
        JsonNode skipped = JsonMapper.builder()
                .build()
                .readTree(DATA.resolve("cohort-runs")
                        .resolve(run.get("id").asString())
                        .resolve("skipped.json")
                        .toFile());
        Map<String, String> reasons = new TreeMap<>();
        skipped.forEach(problem -> reasons.put(
                problem.get("source").asString(), problem.get("reason").asString()));
        assertThat(reasons)
                .as("a link to a file outside, to nothing, and to a folder outside: one reason for all")
                .containsOnlyKeys(
                        LINKED.resolve("outside.dcm").toString(),
                        LINKED.resolve("dangling.dcm").toString(),
                        LINKED.resolve("elsewhere").toString())
                .allSatisfy((link, reason) -> assertThat(reason).isEqualTo(DicomFolderScan.OUTSIDE));
        assertThat(run.get("skipped").asInt()).isEqualTo(3);
    }
}
