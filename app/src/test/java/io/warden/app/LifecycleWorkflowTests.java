package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.WorkflowEngine;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.operaton.bpm.engine.impl.util.ClockUtil;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The lifecycle processes end to end on the embedded engine, through the real app: onboarding (approved,
 * rejected, invalid owner, no decision in time), dormancy retirement (kept, or retired), an orphaned agent
 * reassigned, and a kill switch's incident resolved by reinstatement. Timers are passed by moving the
 * engine's clock.
 */
class LifecycleWorkflowTests extends IntegrationTest {

    static final String OTTO = "3f1c2a9e-7b1d-4e0a-9c11-000000000a02";

    @Autowired
    WorkflowEngine engine;

    @Autowired
    JdbcClient jdbc;

    @Test
    void approvedRegistrationGetsAnIdentityThenBecomesActive() throws Exception {
        String id = register("Onboarded " + UUID.randomUUID(), true);
        assertThat(approve(id, compliance()).status()).isEqualTo(200);
        awaitStatus(id, "ACTIVE");
        String clientId = agent(id).get("clientId").asString();
        assertThat(clientId).isEqualTo("agent-" + id);
        Path secretFile = DATA.resolve("secrets").resolve(clientId + ".secret");
        assertThat(Files.getPosixFilePermissions(secretFile))
                .extracting(Object::toString)
                .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        assertThat(tokenStatus(clientId, Files.readString(secretFile)))
                .as("the provisioned identity obtains tokens")
                .isEqualTo(200);
        assertThat(actions(id))
                .contains("workflow.started", "workflow.message", "workflow.task", "agent.identity_assigned");
    }

    @Test
    void rejectedRegistrationReturnsToDraftAndTheProcessEnds() {
        String id = register("Rejected " + UUID.randomUUID(), true);
        awaitWaitingForDecision(id);
        var rejected = client.call(
                "POST", "/api/v1/approvals/" + pendingApproval(id) + "/reject", admin(), "{\"reason\":\"too broad\"}");
        assertThat(rejected.status()).isEqualTo(200);
        awaitStatus(id, "DRAFT");
        await().atMost(Duration.ofSeconds(20)).until(() -> !engine.running(BpmnProcesses.ONBOARDING, id));
        assertThat(agent(id).get("clientId").isNull())
                .as("no identity for a rejected agent")
                .isTrue();
    }

    @Test
    void anOwnerWhoLeftBeforeSubmissionGetsTheRegistrationRejected() {
        String id = register("Orphaned at birth " + UUID.randomUUID(), false);
        jdbc.sql("update directory_user set account_enabled = false where id = :id")
                .param("id", OTTO)
                .update();
        try {
            assertThat(client.call("POST", "/api/v1/agents/" + id + "/submit", admin(), null)
                            .status())
                    .isEqualTo(200);
            awaitStatus(id, "DRAFT");
        } finally {
            jdbc.sql("update directory_user set account_enabled = true where id = :id")
                    .param("id", OTTO)
                    .update();
        }
        JsonNode approval = client.get("/api/v1/approvals?agentId=" + id, admin())
                .json()
                .get("items")
                .get(0);
        assertThat(approval.get("status").asString()).isEqualTo("REJECTED");
        assertThat(approval.get("decidedBy").asString()).isEqualTo("system:lifecycle-workflows");
    }

    @Test
    void withoutADecisionAdminsAreRemindedAfterThreeDaysAndTheRegistrationIsRejectedAfterFourteen() {
        String id = register("Forgotten " + UUID.randomUUID(), true);
        awaitWaitingForDecision(id);
        try {
            ClockUtil.setCurrentTime(Date.from(Instant.now().plus(Duration.ofDays(4))));
            await().atMost(Duration.ofSeconds(30)).until(() -> notifications("role:ADMIN", id) == 1);
            ClockUtil.setCurrentTime(Date.from(Instant.now().plus(Duration.ofDays(15))));
            awaitStatus(id, "DRAFT");
        } finally {
            ClockUtil.reset();
        }
        JsonNode approval = client.get("/api/v1/approvals?agentId=" + id, admin())
                .json()
                .get("items")
                .get(0);
        assertThat(approval.get("status").asString()).isEqualTo("REJECTED");
        assertThat(approval.get("decisionReason").asString()).contains("14 days");
    }

    @Test
    void aDormantAgentIsKeptByItsOwnerOrRetiredAfterTheGracePeriod() throws Exception {
        String kept = activeAgent("Dormant kept " + UUID.randomUUID());
        String retired = activeAgent("Dormant retired " + UUID.randomUUID());
        String clientId = agent(retired).get("clientId").asString();
        Path secretFile = DATA.resolve("secrets").resolve(clientId + ".secret");
        String secret = Files.readString(secretFile);
        engine.start(BpmnProcesses.RETIREMENT, kept, Map.of());
        engine.start(BpmnProcesses.RETIREMENT, retired, Map.of());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> notifications(OTTO, kept) == 1 && notifications(OTTO, retired) == 1);

        assertThat(client.call("POST", "/api/v1/agents/" + kept + "/keep", owner(), null)
                        .status())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> !engine.running(BpmnProcesses.RETIREMENT, kept));
        assertThat(agent(kept).get("lastActiveAt").isNull())
                .as("kept counts as activity")
                .isFalse();
        try {
            ClockUtil.setCurrentTime(Date.from(Instant.now().plus(Duration.ofDays(15))));
            awaitStatus(retired, "RETIRED");
        } finally {
            ClockUtil.reset();
        }
        assertThat(agent(kept).get("status").asString()).isEqualTo("ACTIVE");
        assertThat(tokenStatus(clientId, secret))
                .as("the retired agent gets no token")
                .isEqualTo(401);
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(secretFile)); // its identity is removed
        assertThat(client.call("POST", "/api/v1/agents/" + kept + "/keep", owner(), null)
                        .status())
                .as("nothing to keep any more")
                .isEqualTo(409);
    }

    @Test
    void anOrphanedAgentsManagerIsToldAndAReassignmentEndsTheProcess() {
        String id = activeAgent("Orphan " + UUID.randomUUID());
        engine.start(BpmnProcesses.ORPHANED, id, Map.of());
        String olivia = "3f1c2a9e-7b1d-4e0a-9c11-000000000a03"; // Otto's manager in the demo directory
        await().atMost(Duration.ofSeconds(20)).until(() -> notifications(olivia, id) == 1);
        var changed = client.call(
                "PUT",
                "/api/v1/agents/" + id + "/owner",
                admin(),
                "{\"ownerId\":\"" + olivia + "\",\"reason\":\"Otto left\"}");
        assertThat(changed.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> !engine.running(BpmnProcesses.ORPHANED, id));
        assertThat(agent(id).get("status").asString()).isEqualTo("ACTIVE");
    }

    @Test
    void aKillSwitchOpensAnIncidentThatSecurityOperationsResolveByReinstating() throws Exception {
        String id = activeAgent("Incident " + UUID.randomUUID());
        String clientId = agent(id).get("clientId").asString();
        String secret = Files.readString(DATA.resolve("secrets").resolve(clientId + ".secret"));
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"AGENT\",\"target\":\"" + clientId + "\",\"reason\":\"prompt injection suspected\"}");
        assertThat(engaged.status()).isEqualTo(201);
        awaitStatus(id, "SUSPENDED");
        await().atMost(Duration.ofSeconds(20)).until(() -> tokenStatus(clientId, secret) == 401);
        client.call(
                "POST",
                "/api/v1/kill-switches/" + engaged.json().get("id").asString() + "/release",
                admin(),
                "{\"reason\":\"cleared\"}");

        assertThat(client.call(
                                "POST",
                                "/api/v1/agents/" + id + "/incident/resolution",
                                owner(),
                                "{\"resolution\":\"REINSTATE\",\"reason\":\"x\"}")
                        .status())
                .as("security operations decide")
                .isEqualTo(403);
        var resolved = client.call(
                "POST",
                "/api/v1/agents/" + id + "/incident/resolution",
                secops(),
                "{\"resolution\":\"REINSTATE\",\"reason\":\"false positive\"}");
        assertThat(resolved.status()).isEqualTo(202);
        awaitStatus(id, "ACTIVE");
        assertThat(tokenStatus(clientId, secret)).as("identity enabled again").isEqualTo(200);
        assertThat(client.call(
                                "POST",
                                "/api/v1/agents/" + id + "/incident/resolution",
                                secops(),
                                "{\"resolution\":\"RETIRE\",\"reason\":\"again\"}")
                        .json()
                        .get("code")
                        .asString())
                .isEqualTo("no-open-incident");
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static String register(String name, boolean submit) {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"%s","kind":"RETRIEVAL","purpose":"Lifecycle test agent","submit":%s,
                 "dataScopes":["imaging-ct-deid"],"tools":["text-search"]}""".formatted(name, submit));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        return registered.json().get("id").asString();
    }

    private String activeAgent(String name) {
        String id = register(name, true);
        assertThat(approve(id, admin()).status()).isEqualTo(200);
        awaitStatus(id, "ACTIVE");
        return id;
    }

    private static WardenClient.Response approve(String id, String token) {
        return client.call(
                "POST", "/api/v1/approvals/" + pendingApproval(id) + "/approve", token, "{\"reason\":\"fine\"}");
    }

    private static String pendingApproval(String id) {
        return client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();
    }

    private static JsonNode agent(String id) {
        return client.get("/api/v1/agents/" + id, admin()).json();
    }

    private static void awaitStatus(String id, String status) {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(agent(id).get("status").asString()).isEqualTo(status));
    }

    /** Onboarding has verified the owner and classified the risk: it waits at the decision gateway. */
    private void awaitWaitingForDecision(String id) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.sql("""
                select count(*) from audit_event where agent_id = :id and action = 'workflow.task'
                and :task = any(detail_values)""")
                                .param("id", id)
                                .param("task", BpmnProcesses.TaskTypes.CLASSIFY_RISK)
                                .query(Long.class)
                                .single()
                        == 1);
    }

    private long notifications(String recipient, String agentId) {
        return jdbc.sql("select count(*) from notification where recipient = :r and agent_id = :a")
                .param("r", recipient)
                .param("a", agentId)
                .query(Long.class)
                .single();
    }

    private List<String> actions(String id) {
        return jdbc.sql("select action from audit_event where agent_id = :id")
                .param("id", id)
                .query((row, n) -> row.getString(1))
                .list();
    }

    private static int tokenStatus(String clientId, String secret) {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return client.send(client.request("/oauth2/token")
                        .header("Authorization", "Basic " + basic)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")))
                .status();
    }
}
