package io.warden.app;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import io.warden.policy.KillSwitches;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * What an enforcement action promises, through the real app: a kill switch engaged by the agent's id (as the
 * agent list shows it) stops its next call and opens the incident; a target that names nothing is refused and
 * nothing is stored; a refusal of a body the gateway cannot read is in the audit trail.
 */
class EnforcementTests extends IntegrationTest {

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    KillSwitches killSwitches;

    @Autowired
    ApplicationContext context;

    @BeforeEach
    void collection() {
        collections.replace(
                "ct-series",
                IndexKind.FLAT,
                embedder.dimension(),
                TextItem.records(
                        embedder,
                        List.of(new TextItem(
                                "s1",
                                "CT chest axial lung window",
                                Map.of("dataset", "imaging-ct-deid", "label", "chest")))));
        governedCollection("ct-series", "imaging-ct-deid");
    }

    static WardenClient.Response search(String body) {
        return client.call("POST", "/gateway/v1/text-search", agent(), body);
    }

    static final String SEARCH = """
            {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"CT chest","k":3}""";

    @Test
    void anAgentSwitchEngagedByTheAgentsIdStopsItsNextCallAndOpensTheIncident() {
        JsonNode agent = agentByClientId("demo-retrieval-agent");
        String id = agent.get("id").asString();
        assertThat(search(SEARCH).status()).isEqualTo(200);
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"AGENT\",\"target\":\"" + id + "\",\"reason\":\"engaged by id\"}");
        assertThat(engaged.status()).as(engaged.body()).isEqualTo(201);
        assertThat(engaged.json().get("target").asString()).isEqualTo(id);
        assertThat(engaged.json().get("targetName").asString())
                .isEqualTo(agent.get("name").asString());
        assertThat(engaged.json().get("targetClientId").asString()).isEqualTo("demo-retrieval-agent");
        assertThat(engaged.json().get("resolved").asBoolean()).isTrue();
        assertThat(engaged.header("Warden-Propagation")).startsWith("confirmed=1; unconfirmed=0");
        try {
            var killed = search(SEARCH);
            assertThat(killed.status()).isEqualTo(403);
            assertThat(killed.json().get("reasons").toString()).contains("KILL_SWITCH");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> "SUSPENDED"
                            .equals(client.get("/api/v1/agents/" + id, admin())
                                    .json()
                                    .get("status")
                                    .asString()));
        } finally {
            client.call(
                    "POST",
                    "/api/v1/kill-switches/" + engaged.json().get("id").asString() + "/release",
                    admin(),
                    "{\"reason\":\"test over\"}");
            reinstateAfterIncident("demo-retrieval-agent");
        }
        assertThat(search(SEARCH).status()).isEqualTo(200);
    }

    @Test
    void aTargetThatNamesNothingIsRefusedAndNothingIsStored() {
        int before = client.get("/api/v1/kill-switches", secops()).json().size();
        for (String body : List.of(
                "{\"scope\":\"AGENT\",\"target\":\"no-such-agent\",\"reason\":\"r\"}",
                "{\"scope\":\"AGENT\",\"target\":\"00000000-0000-0000-0000-000000000000\",\"reason\":\"r\"}",
                "{\"scope\":\"AGENT\",\"reason\":\"r\"}",
                "{\"scope\":\"TOOL\",\"target\":\"no-such-tool\",\"reason\":\"r\"}",
                "{\"scope\":\"DATASET\",\"target\":\"no-such-scope\",\"reason\":\"r\"}",
                "{\"scope\":\"DATASET\",\"target\":\"  \",\"reason\":\"r\"}")) {
            var refused = client.call("POST", "/api/v1/kill-switches", secops(), body);
            assertThat(refused.status()).as(body).isEqualTo(400);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.json().get("code").asString()).isEqualTo("invalid-target");
            assertThat(refused.json().get("field").asString()).isEqualTo("target");
        }
        assertThat(client.get("/api/v1/kill-switches", secops()).json().size()).isEqualTo(before);
    }

    @Test
    void toolAndDatasetSwitchesNameExistingOnesAndShowTheirNames() {
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"DATASET\",\"target\":\"imaging-ct-deid\",\"reason\":\"leak suspected\"}");
        assertThat(engaged.status()).as(engaged.body()).isEqualTo(201);
        try {
            assertThat(engaged.json().get("targetName").asString()).isEqualTo("CT imaging, de-identified");
            var stopped = search(SEARCH);
            assertThat(stopped.status()).isEqualTo(403);
            assertThat(stopped.json().get("reasons").toString()).contains("KILL_SWITCH");
        } finally {
            client.call(
                    "POST",
                    "/api/v1/kill-switches/" + engaged.json().get("id").asString() + "/release",
                    admin(),
                    "{\"reason\":\"test over\"}");
        }
    }

    @Test
    void aBodyThatFailsValidationAndAnUnknownPurposeLeaveDenyRecords() {
        var invalid = search("""
                {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"CT chest","k":0}""");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("field").asString()).isEqualTo("k");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(decisions("DENY")).anySatisfy(record -> {
                    assertThat(record.get("reasons").toString()).contains("INVALID_REQUEST");
                    assertThat(record.get("details").get("field").asString()).isEqualTo("k");
                }));
        var purpose = search("""
                {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"SNOOPING","text":"CT chest","k":3}""");
        assertThat(purpose.status()).isEqualTo(400);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(decisions("DENY"))
                        .anySatisfy(
                                record -> assertThat(record.get("purposeOfUse").asString(""))
                                        .isEqualTo("SNOOPING")));
    }

    @Test
    void aSuspensionAnswersThatItIsInForceOnEveryInstance() {
        String id = agentByClientId("demo-retrieval-agent").get("id").asString();
        var suspended = client.call("POST", "/api/v1/agents/" + id + "/suspend", secops(), "{\"reason\":\"checking\"}");
        assertThat(suspended.status()).as(suspended.body()).isEqualTo(200);
        try {
            assertThat(suspended.header("Warden-Propagation")).startsWith("confirmed=1; unconfirmed=0");
            assertThat(suspended.header("Warden-Unconfirmed-Instances")).isNull();
            var refused = search(SEARCH);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().get("reasons").toString()).contains("AGENT_SUSPENDED");
        } finally {
            client.call("POST", "/api/v1/agents/" + id + "/reinstate", admin(), "{\"reason\":\"checked\"}");
        }
    }

    @Test
    void aPurposeTheAgentWasNotGrantedIsDeniedThoughTheDatasetAllowsIt() {
        // the demo retrieval agent holds TREAT and HRESCH; its CT scope also allows HOPERAT
        var refused = search("""
                {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"HOPERAT","text":"CT chest","k":3}""");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("reasons").toString())
                .contains("PURPOSE_NOT_GRANTED")
                .doesNotContain("PURPOSE_NOT_ALLOWED");
        var granted = search("""
                {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"HRESCH","text":"CT chest","k":3}""");
        assertThat(granted.status()).isEqualTo(200);
    }

    @Test
    void aScopeReclassifiedAsPhiAfterItWasGrantedIsNotReadWithoutANewApproval() {
        JsonNode scope =
                client.get("/api/v1/data-scopes/imaging-ct-deid", admin()).json();
        String restore = scopeUpdate(scope, false, true, scope.get("version").asLong() + 1);
        var reclassified = client.call(
                "PUT",
                "/api/v1/data-scopes/imaging-ct-deid",
                admin(),
                scopeUpdate(scope, true, false, scope.get("version").asLong()));
        assertThat(reclassified.status()).as(reclassified.body()).isEqualTo(200);
        try {
            assertThat(reclassified.header("Warden-Propagation")).startsWith("confirmed=1; unconfirmed=0");
            var refused = search(SEARCH);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().get("reasons").toString()).contains("PHI_NOT_APPROVED");
        } finally {
            var restored = client.call("PUT", "/api/v1/data-scopes/imaging-ct-deid", admin(), restore);
            assertThat(restored.status()).as(restored.body()).isEqualTo(200);
        }
        assertThat(search(SEARCH).status()).isEqualTo(200);
    }

    @Test
    void aScopeThatDeidentifiesForResearchServesResearchCallsWithoutIdentifiers() {
        collections.replace(
                "ct-series",
                IndexKind.FLAT,
                embedder.dimension(),
                TextItem.records(
                        embedder,
                        List.of(new TextItem(
                                "s1",
                                "CT chest axial lung window",
                                Map.of("dataset", "imaging-ct-deid", "patient_id", "P-1", "label", "chest")))));
        governedCollection("ct-series", "imaging-ct-deid");
        JsonNode scope =
                client.get("/api/v1/data-scopes/imaging-ct-deid", admin()).json();
        var research = client.call(
                "PUT",
                "/api/v1/data-scopes/imaging-ct-deid",
                admin(),
                scopeUpdate(scope, false, true, scope.get("version").asLong())
                        .replace("\"deidentifyFor\":[]", "\"deidentifyFor\":[\"HRESCH\"]"));
        assertThat(research.status()).as(research.body()).isEqualTo(200);
        try {
            JsonNode forResearch = search("""
                    {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"HRESCH","text":"CT chest","k":3}""").json();
            assertThat(forResearch.get("hits"))
                    .singleElement()
                    .satisfies(hit -> assertThat(hit.get("metadata").has("patient_id"))
                            .as("identifying field removed")
                            .isFalse());
            JsonNode forTreatment = search(SEARCH).json();
            assertThat(forTreatment
                            .get("hits")
                            .get(0)
                            .get("metadata")
                            .get("patient_id")
                            .asString())
                    .isEqualTo("P-1");
        } finally {
            client.call(
                    "PUT",
                    "/api/v1/data-scopes/imaging-ct-deid",
                    admin(),
                    scopeUpdate(scope, false, true, scope.get("version").asLong() + 1));
        }
    }

    @Test
    void anOwnerDisabledInTheDirectoryStopsTheirAgentsAtOnce() {
        String owner = agentByClientId("demo-retrieval-agent").get("ownerId").asString();
        var disabled =
                client.call("PUT", "/api/v1/directory/users/" + owner + "/account", admin(), "{\"enabled\":false}");
        assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
        try {
            assertThat(disabled.header("Warden-Propagation")).startsWith("confirmed=1; unconfirmed=0");
            var refused = search(SEARCH);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().get("reasons").toString()).contains("OWNER_INACTIVE");
        } finally {
            client.call("PUT", "/api/v1/directory/users/" + owner + "/account", admin(), "{\"enabled\":true}");
        }
        assertThat(search(SEARCH).status()).isEqualTo(200);
    }

    @Test
    void aSwitchStoredBeforeTargetsWereResolvedIsReportedAndStillEnforced() throws Exception {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into kill_switch (id, scope, target, active, engaged_by, engaged_at, reason)
                values (:id, 'AGENT', 'client-of-an-agent-long-gone', true, 'someone', now(), 'stored by an older Warden')""").param("id", id).update();
        try {
            var health = context.getBean("killSwitchesHealthIndicator", HealthIndicator.class);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(
                                    requireNonNull(health.health()).getDetails().get("unresolved"))
                            .asString()
                            .contains("client-of-an-agent-long-gone")
                            .contains(id.toString()));
            assertThat(killSwitches
                            .covers("client-of-an-agent-long-gone", "text-search", "imaging-ct-deid")
                            .agent())
                    .as("still enforced on what it names")
                    .isTrue();
            JsonNode listed = client.get("/api/v1/kill-switches", secops()).json();
            assertThat(listed).anySatisfy(each -> {
                assertThat(each.get("id").asString()).isEqualTo(id.toString());
                assertThat(each.get("resolved").asBoolean()).isFalse();
            });
            var browser = PortalTests.browser();
            PortalTests.signIn(browser, "sam.secops");
            assertThat(PortalTests.get(browser, "/portal/kill-switches").body()).contains("unresolved target");
        } finally {
            client.call("POST", "/api/v1/kill-switches/" + id + "/release", admin(), "{\"reason\":\"replaced\"}");
        }
    }

    private static String scopeUpdate(JsonNode scope, boolean phi, boolean deidentified, long version) {
        return """
                {"displayName":%s,"description":%s,"sensitivity":"%s","phi":%s,"deidentified":%s,"allowedPurposes":%s,
                 "deidentifyFor":[],"version":%d}""".formatted(
                        scope.get("displayName").toString(),
                        scope.get("description").toString(),
                        scope.get("sensitivity").asString(),
                        phi,
                        deidentified,
                        scope.get("allowedPurposes").toString(),
                        version);
    }

    private static JsonNode decisions(String decision) {
        return client.get(
                        "/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.decision&decision=" + decision
                                + "&limit=20",
                        compliance())
                .json()
                .get("items");
    }
}
