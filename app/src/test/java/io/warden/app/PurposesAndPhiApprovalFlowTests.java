package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Purposes of use granted per agent, PHI approval per agent and scope, reclassification between a request
 * and its decision, and the owners an approval may not be decided by — through the real API.
 */
class PurposesAndPhiApprovalFlowTests extends IntegrationTest {

    static final String CARLA = "3f1c2a9e-7b1d-4e0a-9c11-000000000a04";
    static final String OTTO = "3f1c2a9e-7b1d-4e0a-9c11-000000000a02";

    @Test
    void purposesAreRequestedAndApprovedAndAReclassifiedScopeNeedsComplianceAndGivesNoPhiByItself() {
        String research = scope("INTERNAL", "[\"TREAT\",\"HRESCH\"]", "[\"HRESCH\"]");
        String notes = scope("INTERNAL", "[\"TREAT\"]", "[]");

        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"Purposes %s","kind":"RETRIEVAL","purpose":"Research retrieval",
                 "dataScopes":["%s"],"tools":["text-search"],"purposesOfUse":["TREAT"]}""".formatted(UUID.randomUUID(), research));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        assertThat(strings(registered.json().get("purposesOfUse")))
                .as("granted on approval, not before")
                .isEmpty();
        JsonNode registration = pendingApproval(id);
        assertThat(strings(registration.get("addPurposes"))).containsExactly("TREAT");
        assertThat(strings(registration.get("ownersSinceRequest"))).containsExactly(OTTO);
        decide(registration, admin(), 200);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> agent(id).get("status").asString().equals("ACTIVE"));
        assertThat(strings(agent(id).get("purposesOfUse"))).containsExactly("TREAT");

        var addResearch = client.call(
                "POST",
                "/api/v1/agents/" + id + "/change-requests",
                owner(),
                "{\"addPurposes\":[\"HRESCH\"],\"justification\":\"IRB 2026-7\"}");
        assertThat(addResearch.status()).as(addResearch.body()).isEqualTo(201);
        assertThat(addResearch.json().get("requiresCompliance").asBoolean()).isFalse();
        decide(addResearch.json(), admin(), 200);
        assertThat(strings(agent(id).get("purposesOfUse"))).containsExactlyInAnyOrder("HRESCH", "TREAT");

        // request a non-PHI scope, then an admin reclassifies it as PHI before anyone decides
        var addNotes = client.call(
                "POST",
                "/api/v1/agents/" + id + "/change-requests",
                owner(),
                "{\"addScopes\":[\"" + notes + "\"],\"justification\":\"discharge notes\"}");
        assertThat(addNotes.json().get("requiresCompliance").asBoolean()).isFalse();
        reclassifyAsPhi(notes);
        var byAdmin = client.call(
                "POST",
                "/api/v1/approvals/" + addNotes.json().get("id").asString() + "/approve",
                admin(),
                "{\"reason\":\"fine\"}");
        assertThat(byAdmin.status()).as(byAdmin.body()).isEqualTo(403);
        assertThat(byAdmin.json().get("rule").asString()).isEqualTo("phi-needs-compliance-approver");
        decide(addNotes.json(), compliance(), 200);
        assertThat(strings(agent(id).get("phiApprovedScopes"))).containsExactly(notes);

        // a scope granted while not PHI and reclassified afterwards gives no PHI approval
        reclassifyAsPhi(research);
        JsonNode after = agent(id);
        assertThat(strings(after.get("dataScopes"))).contains(research);
        assertThat(strings(after.get("phiApprovedScopes"))).doesNotContain(research);

        // asking for the held scope again is how it gets its PHI approval
        var again = client.call(
                "POST",
                "/api/v1/agents/" + id + "/change-requests",
                owner(),
                "{\"addScopes\":[\"" + research + "\"],\"justification\":\"PHI review\"}");
        assertThat(again.status()).as(again.body()).isEqualTo(201);
        assertThat(again.json().get("requiresCompliance").asBoolean()).isTrue();
        decide(again.json(), compliance(), 200);
        assertThat(strings(agent(id).get("phiApprovedScopes"))).containsExactlyInAnyOrder(notes, research);
    }

    @Test
    void emergencyTreatmentIsDecidedByComplianceOnly() {
        String id = activeAgent();
        var request = client.call(
                "POST",
                "/api/v1/agents/" + id + "/change-requests",
                owner(),
                "{\"addPurposes\":[\"ETREAT\"],\"justification\":\"emergency department\"}");
        assertThat(request.json().get("requiresCompliance").asBoolean()).isTrue();
        var byAdmin = client.call(
                "POST",
                "/api/v1/approvals/" + request.json().get("id").asString() + "/approve",
                admin(),
                "{\"reason\":\"fine\"}");
        assertThat(byAdmin.status()).isEqualTo(403);
        assertThat(byAdmin.json().get("rule").asString()).isEqualTo("phi-needs-compliance-approver");
        decide(request.json(), compliance(), 200);
        assertThat(strings(agent(id).get("purposesOfUse"))).contains("ETREAT");
    }

    @Test
    void theOwnerAtRequestTimeMayNotDecideAfterOwnershipMoved() {
        var registered = client.call("POST", "/api/v1/agents", admin(), """
                {"name":"Moved %s","kind":"RETRIEVAL","purpose":"p","ownerId":"%s","dataScopes":["imaging-ct-deid"],
                 "tools":["text-search"],"purposesOfUse":["TREAT"]}""".formatted(UUID.randomUUID(), CARLA));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        assertThat(client.call(
                                "PUT",
                                "/api/v1/agents/" + id + "/owner",
                                admin(),
                                "{\"ownerId\":\"" + OTTO + "\",\"reason\":\"handed over\"}")
                        .status())
                .isEqualTo(200);

        JsonNode approval = pendingApproval(id);
        assertThat(strings(approval.get("ownersSinceRequest"))).containsExactlyInAnyOrder(CARLA, OTTO);
        var byFormerOwner = client.call(
                "POST",
                "/api/v1/approvals/" + approval.get("id").asString() + "/approve",
                compliance(),
                "{\"reason\":\"mine once\"}");
        assertThat(byFormerOwner.status()).as(byFormerOwner.body()).isEqualTo(403);
        assertThat(byFormerOwner.json().get("rule").asString()).isEqualTo("approver-is-not-owner");
    }

    @Test
    void deidentificationForAPurposeTheScopeDoesNotAllowIsRefusedNamingTheField() {
        var refused = client.call("POST", "/api/v1/data-scopes", admin(), """
                {"key":"deid-%s","displayName":"x","sensitivity":"CONFIDENTIAL","phi":true,"deidentified":false,
                 "allowedPurposes":["TREAT"],"deidentifyFor":["HRESCH"]}""".formatted(shortId()));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("field").asString()).isEqualTo("deidentifyFor");
        var unknown = client.call("POST", "/api/v1/data-scopes", admin(), """
                {"key":"deid-%s","displayName":"x","sensitivity":"CONFIDENTIAL","phi":true,"deidentified":false,
                 "allowedPurposes":["TREAT"],"deidentifyFor":["NOT_A_PURPOSE"]}""".formatted(shortId()));
        assertThat(unknown.status()).isEqualTo(400);
        var byOwner = client.call("POST", "/api/v1/data-scopes", owner(), """
                {"key":"deid-%s","displayName":"x","sensitivity":"CONFIDENTIAL","phi":true,"deidentified":false,
                 "allowedPurposes":["TREAT","HRESCH"],"deidentifyFor":["HRESCH"]}""".formatted(shortId()));
        assertThat(byOwner.status()).isEqualTo(403);
    }

    @Test
    void demoAgentsHoldThePurposesTheirWorkNeedsAndComplianceApprovedTheWoundClassifiersPhi() {
        assertThat(strings(agentByClientId("demo-retrieval-agent").get("purposesOfUse")))
                .contains("TREAT", "HRESCH");
        JsonNode wound = agentByClientId("demo-wound-classifier");
        assertThat(strings(wound.get("purposesOfUse"))).contains("TREAT", "HQUALIMP");
        assertThat(strings(wound.get("phiApprovedScopes"))).contains("dermatology-phi");
        assertThat(strings(agentByClientId("demo-cohort-builder").get("phiApprovedScopes")))
                .isEmpty();
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static String scope(String sensitivity, String allowed, String deidentifyFor) {
        String key = "scope-" + shortId();
        var created = client.call(
                "POST", "/api/v1/data-scopes", admin(), """
                {"key":"%s","displayName":"%s","sensitivity":"%s","phi":false,"deidentified":false,
                 "allowedPurposes":%s,"deidentifyFor":%s}""".formatted(key, key, sensitivity, allowed, deidentifyFor));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("deidentifyFor").toString()).isEqualTo(deidentifyFor.replace(" ", ""));
        return key;
    }

    private static void reclassifyAsPhi(String key) {
        JsonNode current = client.get("/api/v1/data-scopes/" + key, admin()).json();
        var saved = client.call("PUT", "/api/v1/data-scopes/" + key, admin(), """
                {"displayName":"%s","sensitivity":"%s","phi":true,"deidentified":false,"allowedPurposes":%s,"version":%d}""".formatted(
                        key,
                        current.get("sensitivity").asString(),
                        current.get("allowedPurposes").toString(),
                        current.get("version").asLong()));
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        assertThat(saved.json().get("deidentifyFor").toString())
                .as("left out, a PUT keeps it")
                .isEqualTo(current.get("deidentifyFor").toString());
    }

    private static String activeAgent() {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"Emergency %s","kind":"RETRIEVAL","purpose":"p","dataScopes":["imaging-ct-deid"],
                 "tools":["text-search"],"purposesOfUse":["TREAT"]}""".formatted(UUID.randomUUID()));
        String id = registered.json().get("id").asString();
        decide(pendingApproval(id), admin(), 200);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> agent(id).get("status").asString().equals("ACTIVE"));
        return id;
    }

    private static JsonNode pendingApproval(String agentId) {
        return client.get("/api/v1/approvals?status=PENDING&agentId=" + agentId, admin())
                .json()
                .get("items")
                .get(0);
    }

    private static void decide(JsonNode approval, String token, int expected) {
        var decided = client.call(
                "POST",
                "/api/v1/approvals/" + approval.get("id").asString() + "/approve",
                token,
                "{\"reason\":\"reviewed\"}");
        assertThat(decided.status()).as(decided.body()).isEqualTo(expected);
    }

    private static JsonNode agent(String id) {
        return client.get("/api/v1/agents/" + id, admin()).json();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
