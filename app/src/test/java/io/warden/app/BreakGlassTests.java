package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.warden.bpmn.BpmnProcesses;
import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.policy.GatewayDenied;
import io.warden.policy.OnBehalfOf;
import io.warden.policy.ReasonCodes;
import io.warden.policy.ToolCall;
import io.warden.policy.ToolGateway;
import io.warden.policy.ToolOutcome;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
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
 * compliance, and a finding closes it; with nobody reviewing, the review escalates to security operations. The
 * delegated call is made through the gateway in-process, with the person a verified delegated token would name.
 */
class BreakGlassTests extends IntegrationTest {

    static final String OLIVIA = "3f1c2a9e-7b1d-4e0a-9c11-000000000a03";
    static final String OLIVIA_NAME = "Dr. Olivia Owner (demo)";
    static final String SCOPE = "break-glass-" + UUID.randomUUID().toString().substring(0, 8) + "-phi";
    static final String COLLECTION = "break-glass-notes";

    static @Nullable String clientId;
    static @Nullable String agentId;
    static String agentName = "Emergency department agent " + UUID.randomUUID();

    @Autowired
    ToolGateway gateway;

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
    }

    ToolCall emergencyCall(@Nullable String justification) {
        return new ToolCall(
                String.valueOf(clientId),
                "text-search",
                Map.of("collection", COLLECTION, "text", "penicillin allergy", "k", 3),
                SCOPE,
                "ETREAT",
                "trace-" + UUID.randomUUID(),
                ToolCall.Edge.REST,
                new OnBehalfOf(OLIVIA, "token-exchange"),
                justification,
                null);
    }

    /** The review of the newest use by the test's agent, once its hand-off has opened it. */
    JsonNode awaitReview(String traceId) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> reviewByTrace(traceId), review -> review != null);
    }

    static @Nullable JsonNode reviewByTrace(String traceId) {
        for (JsonNode review :
                client.get("/api/v1/break-glass-reviews", compliance()).json().get("items")) {
            if (traceId.equals(review.path("traceId").asString(null))) {
                return review;
            }
        }
        return null;
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
        ToolCall call = emergencyCall("Unconscious patient in the emergency department, allergies unknown");
        ToolOutcome outcome = gateway.call(call);

        assertThat(outcome.decision().allow()).isTrue();
        assertThat(outcome.decision().obligations().breakGlass()).isTrue();
        assertThat(String.valueOf(outcome.structured()))
                .as("the emergency treatment reads the PHI unredacted")
                .contains("patient_id=P-7");
        assertThat(jdbc.sql("""
                        select count(*) from audit_event where action = 'gateway.decision' and agent_id = :c
                           and 'breakGlass' = any(detail_keys) and 'justification' = any(detail_keys)""").param("c", clientId).query(Long.class).single())
                .as("the decision record is flagged")
                .isPositive();

        JsonNode review = awaitReview(String.valueOf(call.traceId()));
        String id = review.get("id").asString();
        assertThat(review.get("status").asString()).isEqualTo("OPEN");
        assertThat(review.get("agentName").asString()).isEqualTo(agentName);
        assertThat(review.get("personName").asString()).isEqualTo(OLIVIA_NAME);
        assertThat(review.get("justification").asString()).startsWith("Unconscious patient");
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
        ToolCall call = emergencyCall("Trauma bay, patient cannot consent");
        assertThat(gateway.call(call).decision().obligations().breakGlass()).isTrue();
        String id = awaitReview(String.valueOf(call.traceId())).get("id").asString();
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
        HttpResponse<String> recorded = PortalTests.post(
                sam, "/portal/break-glass/" + id, page.body(), "finding=NOT_JUSTIFIED&note=No+emergency+on+record");
        assertThat(recorded.statusCode()).isEqualTo(200);
        assertThat(recorded.body()).contains("was not justified.");
        JsonNode closed = reviewByTrace(String.valueOf(call.traceId()));
        assertThat(closed).isNotNull();
        assertThat(closed.get("finding").asString()).isEqualTo("NOT_JUSTIFIED");
        assertThat(closed.get("reviewedBy").asString()).isEqualTo("3f1c2a9e-7b1d-4e0a-9c11-000000000a05");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !engine.running(BpmnProcesses.BREAK_GLASS_REVIEW, "break-glass:" + id));
        assertThat(audited("break_glass.reviewed", id)).isEqualTo(1);
    }

    @Test
    void withoutAJustificationTheGlassIsNotBrokenAndNoReviewOpens() {
        long before = jdbc.sql("select count(*) from break_glass_review where client_id = :c")
                .param("c", clientId)
                .query(Long.class)
                .single();
        GatewayDenied denied = catchThrowableOfType(GatewayDenied.class, () -> gateway.call(emergencyCall(null)));
        assertThat(denied).isNotNull();
        assertThat(denied.reasons()).contains(ReasonCodes.BREAK_GLASS_JUSTIFICATION_REQUIRED);
        assertThat(jdbc.sql("select count(*) from break_glass_review where client_id = :c")
                        .param("c", clientId)
                        .query(Long.class)
                        .single())
                .isEqualTo(before);
    }
}
