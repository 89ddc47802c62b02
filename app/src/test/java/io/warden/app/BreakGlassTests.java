package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.bpmn.BpmnProcesses;
import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.policy.ReasonCodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.operaton.bpm.engine.impl.util.ClockUtil;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Break-the-glass end to end: an agent granted emergency treatment (ETREAT) on a PHI scope, approved by compliance,
 * acts for a person in the configured break-glass group; the call is served and flagged, its review opens and tells
 * compliance, and a finding closes it; with nobody reviewing, the review escalates to security operations. Every call
 * is made as a real agent makes it: the agent exchanges the person's token for a delegated one (RFC 8693) and calls the
 * gateway's REST edge with it, stating ETREAT and its justification in the body. Without a justification, for a person
 * outside the break-glass group, or with the agent's own token (no person) the glass is not broken.
 */
class BreakGlassTests extends IntegrationTest {

    static final String OLIVIA = "3f1c2a9e-7b1d-4e0a-9c11-000000000a03";
    static final String ADA = "3f1c2a9e-7b1d-4e0a-9c11-000000000a01";
    static final String OLIVIA_NAME = "Dr. Olivia Owner (demo)";
    static final String SCOPE = "break-glass-" + UUID.randomUUID().toString().substring(0, 8) + "-phi";
    static final String COLLECTION = "break-glass-notes";

    static @Nullable String clientId;
    static @Nullable String agentId;
    static @Nullable String secret;
    static String agentName = "Emergency department agent " + UUID.randomUUID();

    @Autowired
    WorkflowEngine engine;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @BeforeEach
    void emergencyAgentAndBreakGlassGroup() {
        if (clientId != null) {
            return;
        }
        var scope = client.call("POST", "/api/v1/data-scopes", admin(), """
                {"key":"%s","displayName":"Emergency department notes","sensitivity":"HIGHLY_CONFIDENTIAL",
                 "phi":true,"deidentified":false,"allowedPurposes":["TREAT","ETREAT"]}""".formatted(SCOPE));
        assertThat(scope.status()).as(scope.body()).isEqualTo(201);
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"%s","kind":"RETRIEVAL","purpose":"Emergency department look-ups","dataScopes":["%s"],
                 "tools":["text-search"],"purposesOfUse":["TREAT","ETREAT"]}""".formatted(agentName, SCOPE));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        JsonNode approval = client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                .json()
                .get("items")
                .get(0);
        var approved = client.call(
                "POST",
                "/api/v1/approvals/" + approval.get("id").asString() + "/approve",
                compliance(),
                "{\"reason\":\"emergency department, PHI reviewed\"}");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "ACTIVE"
                        .equals(client.get("/api/v1/agents/" + id, admin())
                                .json()
                                .get("status")
                                .asString()));
        collections.replace(
                COLLECTION,
                IndexKind.FLAT,
                embedder.dimension(),
                TextItem.records(
                        embedder,
                        List.of(new TextItem(
                                "n1",
                                "Allergic to penicillin, anaphylaxis 2019",
                                Map.of("dataset", SCOPE, "patient_id", "P-7", "label", "allergy")))));
        governedCollection(COLLECTION, SCOPE);
        jdbc.sql("insert into directory_group (id, display_name, updated_at) values (:id, 'Break glass', now())")
                .param("id", BREAK_GLASS_GROUP)
                .update();
        jdbc.sql("insert into directory_group_member (group_id, member_id) values (:g, :m)")
                .param("g", BREAK_GLASS_GROUP)
                .param("m", OLIVIA)
                .update();
        agentId = id;
        clientId = client.get("/api/v1/agents/" + id, admin())
                .json()
                .get("clientId")
                .asString();
        try {
            secret = Files.readString(DATA.resolve("secrets").resolve(clientId + ".secret"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A token for the test's agent acting for this person, exchanged as an agent does (RFC 8693). */
    static String delegatedFor(String username) {
        String person = client.signIn(username, "warden-demo");
        var exchanged = TokenExchangeTests.exchange(String.valueOf(clientId), String.valueOf(secret), person);
        assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);
        return exchanged.json().get("access_token").asString();
    }

    /** The search an emergency department agent makes for ETREAT, over the gateway's REST edge. */
    static WardenClient.Response emergencyCall(String token, @Nullable String justification) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("collection", COLLECTION);
        body.put("dataset", SCOPE);
        body.put("purposeOfUse", "ETREAT");
        body.put("text", "penicillin allergy");
        body.put("k", 3);
        if (justification != null) {
            body.put("justification", justification);
        }
        return client.call("POST", "/gateway/v1/text-search", token, WardenClient.JSON.writeValueAsString(body));
    }

    /** A justification no other call of the run gives, so that its review and records are found by it. */
    static String justification(String text) {
        return text + " (case " + UUID.randomUUID() + ")";
    }

    /** The review of the use with this justification, once its hand-off has opened it. */
    JsonNode awaitReview(String justification) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> reviewByJustification(justification), review -> review != null);
    }

    static @Nullable JsonNode reviewByJustification(String justification) {
        for (JsonNode review :
                client.get("/api/v1/break-glass-reviews", compliance()).json().get("items")) {
            if (justification.equals(review.path("justification").asString(null))) {
                return review;
            }
        }
        return null;
    }

    /** The agent's newest gateway decision records, as compliance reads them. */
    static JsonNode decisions() {
        return client.get("/api/v1/audit/events?agent=" + clientId + "&action=gateway.decision&limit=50", compliance())
                .json()
                .get("items");
    }

    long reviews() {
        return jdbc.sql("select count(*) from break_glass_review where client_id = :c")
                .param("c", clientId)
                .query(Long.class)
                .single();
    }

    long audited(String action, String reviewId) {
        return jdbc.sql("select count(*) from audit_event where action = :a and target_id = :t")
                .param("a", action)
                .param("t", reviewId)
                .query(Long.class)
                .single();
    }

    long notified(String recipient) {
        return jdbc.sql("""
                select count(*) from notification where recipient = :r and agent_id = :a and process = :p""")
                .param("r", recipient)
                .param("a", agentId)
                .param("p", BpmnProcesses.BREAK_GLASS_REVIEW)
                .query(Long.class)
                .single();
    }

    @Test
    void anEmergencyAccessIsServedFlaggedAndClosedByComplianceFinding() {
        long complianceBefore = notified("role:COMPLIANCE");
        String why = justification("Unconscious patient in the emergency department, allergies unknown");
        var served = emergencyCall(delegatedFor("olivia.owner"), why);

        assertThat(served.status()).as(served.body()).isEqualTo(200);
        assertThat(served.json().get("redacted"))
                .as("emergency treatment reads the PHI")
                .isEmpty();
        assertThat(served.json()
                        .get("hits")
                        .get(0)
                        .get("metadata")
                        .get("patient_id")
                        .asString())
                .as("the emergency treatment reads the PHI unredacted")
                .isEqualTo("P-7");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(decisions())
                        .as("the decision record is flagged and names the person and the delegation")
                        .anySatisfy(record -> {
                            assertThat(record.path("details")
                                            .path("justification")
                                            .asString(""))
                                    .isEqualTo(why);
                            assertThat(record.path("decision").asString("")).isEqualTo("PERMIT");
                            assertThat(record.get("actor").get("id").asString()).isEqualTo(clientId);
                            assertThat(record.path("details").path("breakGlass").asString(""))
                                    .isEqualTo("true");
                            assertThat(record.path("details").path("onBehalfOf").asString(""))
                                    .isEqualTo(OLIVIA);
                            assertThat(record.path("details").path("delegation").asString(""))
                                    .isEqualTo("token-exchange");
                        }));

        JsonNode review = awaitReview(why);
        String id = review.get("id").asString();
        assertThat(review.get("status").asString()).isEqualTo("OPEN");
        assertThat(review.get("agentName").asString()).isEqualTo(agentName);
        assertThat(review.get("personId").asString()).isEqualTo(OLIVIA);
        assertThat(review.get("personName").asString()).isEqualTo(OLIVIA_NAME);
        assertThat(review.get("tool").asString()).isEqualTo("text-search");
        assertThat(review.get("dataset").asString()).isEqualTo(SCOPE);
        assertThat(audited("break_glass.used", id)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> notified("role:COMPLIANCE") == complianceBefore + 1);
        assertThat(engine.running(BpmnProcesses.BREAK_GLASS_REVIEW, "break-glass:" + id))
                .isTrue();

        String finding = "{\"finding\":\"JUSTIFIED\",\"note\":\"Confirmed with the ED attending\"}";
        var bySecops = client.call("POST", "/api/v1/break-glass-reviews/" + id, secops(), finding);
        assertThat(bySecops.status())
                .as("security operations only once overdue")
                .isEqualTo(403);
        assertThat(bySecops.json().get("code").asString()).isEqualTo("secops-after-escalation");
        assertThat(client.call("POST", "/api/v1/break-glass-reviews/" + id, admin(), finding)
                        .status())
                .isEqualTo(403);
        var unknownFinding = client.call(
                "POST", "/api/v1/break-glass-reviews/" + id, compliance(), "{\"finding\":\"MAYBE\",\"note\":\"n\"}");
        assertThat(unknownFinding.status()).isEqualTo(400);
        var noNote =
                client.call("POST", "/api/v1/break-glass-reviews/" + id, compliance(), "{\"finding\":\"JUSTIFIED\"}");
        assertThat(noNote.status()).isEqualTo(400);
        assertThat(noNote.json().toString()).contains("note");
        var notAnId = client.call("POST", "/api/v1/break-glass-reviews/not-an-id", compliance(), finding);
        assertThat(notAnId.status()).isEqualTo(400);
        assertThat(notAnId.json().toString()).contains("id");

        var reviewed = client.call("POST", "/api/v1/break-glass-reviews/" + id, compliance(), finding);
        assertThat(reviewed.status()).as(reviewed.body()).isEqualTo(200);
        assertThat(reviewed.json().get("status").asString()).isEqualTo("REVIEWED");
        assertThat(reviewed.json().get("finding").asString()).isEqualTo("JUSTIFIED");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !engine.running(BpmnProcesses.BREAK_GLASS_REVIEW, "break-glass:" + id));
        assertThat(audited("break_glass.reviewed", id)).isEqualTo(1);
        assertThat(audited("break_glass.escalated", id)).isZero();
        var again = client.call("POST", "/api/v1/break-glass-reviews/" + id, compliance(), finding);
        assertThat(again.status()).isEqualTo(409);
    }

    @Test
    void nobodyReviewingEscalatesToSecurityOperationsWhoThenRecordTheFindingInThePortal() throws Exception {
        long secopsBefore = notified("role:SECOPS");
        long complianceBefore = notified("role:COMPLIANCE");
        String why = justification("Trauma bay, patient cannot consent");
        var served = emergencyCall(delegatedFor("olivia.owner"), why);
        assertThat(served.status()).as(served.body()).isEqualTo(200);
        String id = awaitReview(why).get("id").asString();
        // compliance told: the process has passed its first task and waits for a finding or its timer
        await().atMost(Duration.ofSeconds(30)).until(() -> notified("role:COMPLIANCE") > complianceBefore);
        AtomicInteger hours = new AtomicInteger();
        try {
            // each look moves the engine's clock an hour further, so the check's timer passes whenever it was set
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        ClockUtil.setCurrentTime(
                                Date.from(Instant.now().plus(Duration.ofHours(hours.incrementAndGet()))));
                        return "ESCALATED"
                                .equals(client.get("/api/v1/break-glass-reviews", secops())
                                        .json()
                                        .get("items")
                                        .valueStream()
                                        .filter(review ->
                                                review.get("id").asString().equals(id))
                                        .findFirst()
                                        .map(review -> review.get("status").asString())
                                        .orElse(""));
                    });
        } finally {
            ClockUtil.reset();
        }
        // (another test's review left open may escalate with it: the engine's clock is the JVM's)
        await().atMost(Duration.ofSeconds(30)).until(() -> notified("role:SECOPS") > secopsBefore);
        assertThat(audited("break_glass.escalated", id)).isEqualTo(1);

        // security operations record the finding in the portal, which names the agent and the person, not their ids
        HttpClient sam = PortalTests.browser();
        PortalTests.signIn(sam, "sam.secops");
        HttpResponse<String> page = PortalTests.get(sam, "/portal/break-glass");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("data-review=\"" + id + "\"", agentName, OLIVIA_NAME, "/portal/break-glass/" + id);
        String toolName = client.get("/api/v1/tools/text-search", admin())
                .json()
                .get("displayName")
                .asString();
        String scopeName = client.get("/api/v1/data-scopes/" + SCOPE, admin())
                .json()
                .get("displayName")
                .asString();
        assertThat(page.body())
                .as("the tool and the data scope by their titles")
                .contains("class=\"tool-scope\">" + toolName + " on " + scopeName + "<")
                .doesNotContain(">text-search on ");
        HttpResponse<String> recorded = PortalTests.post(
                sam, "/portal/break-glass/" + id, page.body(), "finding=NOT_JUSTIFIED&note=No+emergency+on+record");
        assertThat(recorded.statusCode()).isEqualTo(200);
        assertThat(recorded.body()).contains("was not justified.");
        JsonNode closed = reviewByJustification(why);
        assertThat(closed).isNotNull();
        assertThat(closed.get("finding").asString()).isEqualTo("NOT_JUSTIFIED");
        assertThat(closed.get("reviewedBy").asString()).isEqualTo("3f1c2a9e-7b1d-4e0a-9c11-000000000a05");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !engine.running(BpmnProcesses.BREAK_GLASS_REVIEW, "break-glass:" + id));
        assertThat(audited("break_glass.reviewed", id)).isEqualTo(1);
    }

    @Test
    void withoutAJustificationTheGlassIsNotBrokenAndNoReviewOpens() {
        long before = reviews();
        String olivia = delegatedFor("olivia.owner");
        var none = emergencyCall(olivia, null);
        assertThat(none.status()).as(none.body()).isEqualTo(403);
        assertThat(reasons(none)).containsExactly(ReasonCodes.BREAK_GLASS_JUSTIFICATION_REQUIRED);
        var blank = emergencyCall(olivia, "   ");
        assertThat(blank.status()).as(blank.body()).isEqualTo(403);
        assertThat(reasons(blank)).containsExactly(ReasonCodes.BREAK_GLASS_JUSTIFICATION_REQUIRED);
        assertThat(reviews()).isEqualTo(before);
    }

    @Test
    void aPersonOutsideTheBreakGlassGroupOrNoPersonAtAllCannotHaveTheGlassBroken() {
        long before = reviews();
        // Ada is an admin, but in no break-glass group: the agent may not break the glass for her
        String why = justification("Patient arrived unresponsive");
        var forAda = emergencyCall(delegatedFor("ada.admin"), why);
        assertThat(forAda.status()).as(forAda.body()).isEqualTo(403);
        assertThat(reasons(forAda)).containsExactly(ReasonCodes.BREAK_GLASS_NOT_PERMITTED);

        // the agent's own token names no person: emergency access is always someone's
        String own = client.agentToken(String.valueOf(clientId), String.valueOf(secret));
        var alone = emergencyCall(own, justification("Patient arrived unresponsive"));
        assertThat(alone.status()).as(alone.body()).isEqualTo(403);
        assertThat(reasons(alone)).containsExactly(ReasonCodes.BREAK_GLASS_PERSON_REQUIRED);

        assertThat(reviews()).as("no glass broken, no review").isEqualTo(before);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(decisions())
                        .as("the refusal is recorded for the person it would have served")
                        .anySatisfy(record -> {
                            assertThat(record.path("decision").asString("")).isEqualTo("DENY");
                            assertThat(record.path("details").path("onBehalfOf").asString(""))
                                    .isEqualTo(ADA);
                            assertThat(record.path("details").path("delegation").asString(""))
                                    .isEqualTo("token-exchange");
                            assertThat(record.path("details").path("breakGlass").isMissingNode())
                                    .isTrue();
                        }));
    }

    static List<String> reasons(WardenClient.Response denied) {
        return denied.json()
                .get("reasons")
                .valueStream()
                .map(JsonNode::asString)
                .toList();
    }
}
