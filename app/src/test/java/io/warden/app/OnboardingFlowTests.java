package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.registry.events.AgentRegistered;
import io.warden.registry.events.AgentStatusChanged;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The registry's flows through the real API, as the people of BRIEF.md §1 use them. */
class OnboardingFlowTests extends IntegrationTest {

    @Autowired
    RecordingListeners.Recorder recorder;

    @Autowired
    JdbcClient jdbc;

    @Test
    void ownerRegistersComplianceApprovesPhiAgentSecOpsSuspendsAdminReinstatesOwnerRetires() {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"Dermatology retrieval","kind":"RETRIEVAL","purpose":"Similar lesion search for dermatologists",
                 "model":{"name":"MedImageInsight","version":"1.0","embeddingDimension":1024},
                 "dataScopes":["dermatology-phi"],"tools":["image-search"]}""");
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        JsonNode agent = registered.json();
        String id = agent.get("id").asString();
        assertThat(agent.get("status").asString()).isEqualTo("PENDING_APPROVAL");
        assertThat(agent.get("riskTier").asString()).isEqualTo("HIGH");
        assertThat(registered.header("Location")).isEqualTo("/api/v1/agents/" + id);

        JsonNode approval = client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                .json()
                .get("items")
                .get(0);
        String approvalId = approval.get("id").asString();
        assertThat(approval.get("requiresCompliance").asBoolean()).isTrue();

        var byAdmin = client.call(
                "POST", "/api/v1/approvals/" + approvalId + "/approve", admin(), "{\"reason\":\"looks fine\"}");
        assertThat(byAdmin.status()).isEqualTo(403);
        assertThat(byAdmin.json().get("rule").asString()).isEqualTo("phi-needs-compliance-approver");

        var approved = client.call(
                "POST",
                "/api/v1/approvals/" + approvalId + "/approve",
                compliance(),
                "{\"reason\":\"DPIA 2026-41 covers it\"}");
        assertThat(approved.status()).isEqualTo(200);
        assertThat(approved.json().get("status").asString()).isEqualTo("APPROVED");
        // onboarding provisions the identity, then activates
        await().atMost(Duration.ofSeconds(20))
                .until(() -> client.get("/api/v1/agents/" + id, owner())
                        .json()
                        .get("status")
                        .asString()
                        .equals("ACTIVE"));
        JsonNode active = client.get("/api/v1/agents/" + id, owner()).json();
        assertThat(active.get("clientId").asString()).isEqualTo("agent-" + id);
        assertThat(active.get("dataScopes").get(0).asString()).isEqualTo("dermatology-phi");

        assertThat(transition(id, "suspend", secops()).get("status").asString()).isEqualTo("SUSPENDED");
        assertThat(transition(id, "reinstate", admin()).get("status").asString())
                .isEqualTo("ACTIVE");
        assertThat(transition(id, "retire", owner()).get("status").asString()).isEqualTo("RETIRED");
        var again = client.call("POST", "/api/v1/agents/" + id + "/retire", admin(), "{\"reason\":\"twice\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("currentStatus").asString()).isEqualTo("RETIRED");

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(recorder.received())
                        .filteredOn(AgentStatusChanged.class::isInstance)
                        .map(AgentStatusChanged.class::cast)
                        .filteredOn(e -> e.agentId().toString().equals(id))
                        .extracting(e -> e.to().name())
                        .containsExactly("PENDING_APPROVAL", "ACTIVE", "SUSPENDED", "ACTIVE", "RETIRED"));
    }

    @Test
    void ownerCannotApproveTheirOwnAgentAndAdminChangesOwner() {
        var registered = client.call("POST", "/api/v1/agents", admin(), """
                {"name":"Cohort helper","kind":"COHORT_BUILDER","purpose":"Builds CT cohorts",
                 "ownerId":"3f1c2a9e-7b1d-4e0a-9c11-000000000a02","dataScopes":["imaging-ct-deid"],"tools":["cohort-search"]}""");
        assertThat(registered.status()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        String approvalId = client.get("/api/v1/approvals?agentId=" + id, admin())
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();

        var byRequester =
                client.call("POST", "/api/v1/approvals/" + approvalId + "/approve", admin(), "{\"reason\":\"mine\"}");
        assertThat(byRequester.status()).isEqualTo(403);
        assertThat(byRequester.json().get("rule").asString()).isEqualTo("approver-is-not-requester");
        assertThat(client.call(
                                "POST",
                                "/api/v1/approvals/" + approvalId + "/approve",
                                compliance(),
                                "{\"reason\":\"ok\"}")
                        .status())
                .isEqualTo(200);

        var changed = client.call(
                "PUT",
                "/api/v1/agents/" + id + "/owner",
                admin(),
                "{\"ownerId\":\"3f1c2a9e-7b1d-4e0a-9c11-000000000a03\",\"reason\":\"Otto moved to another department\"}");
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().get("ownerId").asString()).isEqualTo("3f1c2a9e-7b1d-4e0a-9c11-000000000a03");
        // Otto no longer owns it, so he cannot retire it
        var byFormerOwner = client.call("POST", "/api/v1/agents/" + id + "/retire", owner(), "{\"reason\":\"x\"}");
        assertThat(byFormerOwner.status()).isEqualTo(403);
        assertThat(byFormerOwner.json().get("rule").asString()).isEqualTo("owner-acts-on-own-agents");
    }

    @Test
    void listFiltersAndFreeText() {
        JsonNode active = client.get("/api/v1/agents?status=ACTIVE&kind=RAG_CLASSIFIER", admin())
                .json();
        assertThat(active.get("items")).isNotEmpty();
        active.get("items").forEach(item -> {
            assertThat(item.get("status").asString()).isEqualTo("ACTIVE");
            assertThat(item.get("kind").asString()).isEqualTo("RAG_CLASSIFIER");
        });
        JsonNode text = client.get("/api/v1/agents?q=wound", admin()).json();
        assertThat(text.get("items"))
                .anySatisfy(item -> assertThat(item.get("name").asString()).isEqualTo("Demo wound classifier"));
        JsonNode byScope = client.get("/api/v1/agents?dataScope=dermatology-phi&status=ACTIVE", compliance())
                .json();
        assertThat(byScope.get("items"))
                .allSatisfy(
                        item -> assertThat(item.get("dataScopes").toString()).contains("dermatology-phi"));
        JsonNode byName = client.get("/api/v1/agents?q=demo&sort=NAME", admin()).json();
        assertThat(byName.get("items"))
                .extracting(item -> item.get("name").asString())
                .isSortedAccordingTo(String.CASE_INSENSITIVE_ORDER);
        assertThat(client.get("/api/v1/agents?sort=SIDEWAYS", admin()).status()).isEqualTo(400);
        JsonNode paged = client.get("/api/v1/agents?size=1&page=0", admin()).json();
        assertThat(paged.get("items")).hasSize(1);
        assertThat(paged.get("total").asLong()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void everyStateChangeIsPublishedThroughTheEventPublicationRegistry() {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"Audited agent","kind":"RETRIEVAL","purpose":"p","submit":false}""");
        assertThat(registered.status()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        assertThat(registered.json().get("status").asString()).isEqualTo("DRAFT");

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(recorder.received())
                        .filteredOn(AgentRegistered.class::isInstance)
                        .anySatisfy(
                                e -> assertThat(((AgentRegistered) e).agentId().toString())
                                        .isEqualTo(id)));
        // one publication per listener (the audit trail and the test recorder), each completed
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(jdbc.sql("""
                select listener_id from event_publication
                where serialized_event like :id and event_type like '%AgentRegistered' and completion_date is not null""")
                                .param("id", "%" + id + "%")
                                .query(String.class)
                                .list())
                        .anyMatch(listener -> listener.contains("RegistryAuditTrail"))
                        .anyMatch(listener -> listener.contains("Recorder")));
    }

    @Test
    void aFailingListenerLeavesItsPublicationForRedelivery() {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"Agent %s","kind":"RETRIEVAL","purpose":"p","submit":false}""".formatted(RecordingListeners.FAIL_MARKER));
        assertThat(registered.status()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(jdbc.sql("""
                select count(*) from event_publication
                where serialized_event like :id and event_type like '%AgentRegistered' and completion_date is null
                  and status = 'FAILED'""")
                                .param("id", "%" + id + "%")
                                .query(Long.class)
                                .single())
                        .isEqualTo(1));
    }

    @Test
    void aFailedDeliveryIsDeliveredAgainWithoutARestart() {
        var registered =
                client.call("POST", "/api/v1/agents", owner(), """
                {"name":"Agent %s","kind":"RETRIEVAL","purpose":"p","submit":false}""".formatted(RecordingListeners.FAIL_ONCE_MARKER));
        assertThat(registered.status()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(recorder.received())
                        .anySatisfy(event -> assertThat(event)
                                .isInstanceOfSatisfying(
                                        AgentRegistered.class,
                                        registeredEvent -> assertThat(registeredEvent
                                                        .agentId()
                                                        .toString())
                                                .isEqualTo(id))));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(jdbc.sql("""
                select status || '/' || completion_attempts from event_publication
                where serialized_event like :id and event_type like '%AgentRegistered' and listener_id like '%Recorder%'""")
                                .param("id", "%" + id + "%")
                                .query(String.class)
                                .single())
                        .as("completed on its redelivery, the second attempt")
                        .isEqualTo("COMPLETED/2"));
    }

    private JsonNode transition(String id, String action, String token) {
        var response = client.call(
                "POST", "/api/v1/agents/" + id + "/" + action, token, "{\"reason\":\"" + action + " in test\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }
}
