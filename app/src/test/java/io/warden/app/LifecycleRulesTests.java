package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.WorkflowEngine;
import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The lifecycle rules through the real app: stored and edited through the API (admins only, optimistic
 * locking, parameters checked), and a sweep that starts each rule's process exactly once for the agents it
 * finds: dormant, recertification due, owner gone, and a burst of policy denials that pulls the kill switch.
 */
class LifecycleRulesTests extends IntegrationTest {

    @Autowired
    WorkflowEngine engine;

    @Autowired
    JdbcClient jdbc;

    @Test
    void rulesAreReadByPeopleAndChangedByAdminsWithTheVersionTheyRead() {
        JsonNode rules = client.get("/api/v1/lifecycle-rules", owner()).json();
        assertThat(rules)
                .extracting(rule -> rule.get("key").asString())
                .containsExactly("dormancy", "orphaned-owner", "recertification-due", "risk-signal");
        JsonNode dormancy =
                client.get("/api/v1/lifecycle-rules/dormancy", admin()).json();
        long version = dormancy.get("version").asLong();
        assertThat(dormancy.get("parameters").get("days").asInt()).isEqualTo(90);

        assertThat(client.call("PUT", "/api/v1/lifecycle-rules/dormancy", owner(), body(true, "{\"days\":60}", version))
                        .status())
                .isEqualTo(403);
        var bad = client.call("PUT", "/api/v1/lifecycle-rules/dormancy", admin(), body(true, "{\"days\":0}", version));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asString()).startsWith("parameters.days");
        var unknown =
                client.call("PUT", "/api/v1/lifecycle-rules/dormancy", admin(), body(true, "{\"weeks\":3}", version));
        assertThat(unknown.json().get("detail").asString()).startsWith("parameters.weeks");
        var window = client.call(
                "PUT",
                "/api/v1/lifecycle-rules/risk-signal",
                admin(),
                body(
                        true,
                        "{\"denials\":5,\"window\":\"soon\"}",
                        client.get("/api/v1/lifecycle-rules/risk-signal", admin())
                                .json()
                                .get("version")
                                .asLong()));
        assertThat(window.json().get("detail").asString()).startsWith("parameters.window");

        var changed =
                client.call("PUT", "/api/v1/lifecycle-rules/dormancy", admin(), body(true, "{\"days\":60}", version));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("version").asLong()).isEqualTo(version + 1);
        var stale =
                client.call("PUT", "/api/v1/lifecycle-rules/dormancy", admin(), body(true, "{\"days\":90}", version));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(client.call(
                                "PUT",
                                "/api/v1/lifecycle-rules/dormancy",
                                admin(),
                                body(true, "{\"days\":90}", version + 1))
                        .status())
                .isEqualTo(200);
        assertThat(client.get("/api/v1/lifecycle-rules/nope", admin()).status()).isEqualTo(404);
        JsonNode recertification = client.get("/api/v1/lifecycle-rules/recertification-due", admin())
                .json();
        assertThat(recertification.get("parameters").get("periodDays").asInt()).isEqualTo(90);
        var tooShort = client.call(
                "PUT",
                "/api/v1/lifecycle-rules/recertification-due",
                admin(),
                body(true, "{\"periodDays\":1}", recertification.get("version").asLong()));
        assertThat(tooShort.json().get("detail").asString()).startsWith("parameters.periodDays");
    }

    @Test
    void aSweepStartsEachRulesProcessOnceForTheAgentsItFinds() {
        String dormant = activeAgent("Sweep dormant", OTTO);
        String due = activeAgent("Sweep recertification", OTTO);
        String leaver = "sweep-owner-" + UUID.randomUUID();
        jdbc.sql("""
                insert into directory_user (id, user_principal_name, display_name, updated_at)
                values (:id, :upn, 'Leaving owner', now())""")
                .param("id", leaver)
                .param("upn", leaver + "@demo.warden.local")
                .update();
        String orphan = activeAgent("Sweep orphan", leaver);
        jdbc.sql("update agent set last_active_at = :t, approved_at = :t where id = cast(:id as uuid)")
                .param("t", Timestamp.from(Instant.now().minus(Duration.ofDays(200))))
                .param("id", dormant)
                .update();
        jdbc.sql("update agent set recertify_by = :t where id = cast(:id as uuid)")
                .param("t", Timestamp.from(Instant.now().minus(Duration.ofDays(1))))
                .param("id", due)
                .update();
        jdbc.sql("update directory_user set account_enabled = false where id = :id")
                .param("id", leaver)
                .update();

        // the sweep acts on every agent of the shared test instance, and the demo agents accumulate denials from other
        // classes: the risk-signal rule, not under test here, is off while this test sweeps
        JsonNode risk =
                client.get("/api/v1/lifecycle-rules/risk-signal", admin()).json();
        assertThat(client.call(
                                "PUT",
                                "/api/v1/lifecycle-rules/risk-signal",
                                admin(),
                                body(
                                        false,
                                        risk.get("parameters").toString(),
                                        risk.get("version").asLong()))
                        .status())
                .isEqualTo(200);
        try {
            sweepTwice(dormant, due, orphan);
        } finally {
            client.call(
                    "PUT",
                    "/api/v1/lifecycle-rules/risk-signal",
                    admin(),
                    body(
                            risk.get("enabled").asBoolean(),
                            risk.get("parameters").toString(),
                            risk.get("version").asLong() + 1));
        }

        // the owner attests: the agent is recertified and the process ends
        String before = client.get("/api/v1/agents/" + due, admin())
                .json()
                .get("recertifyBy")
                .asString();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> client.call("POST", "/api/v1/agents/" + due + "/attestation", owner(), null)
                                .status()
                        == 202);
        await().atMost(Duration.ofSeconds(20)).until(() -> !engine.running(BpmnProcesses.RECERTIFICATION, due));
        assertThat(client.get("/api/v1/agents/" + due, admin())
                        .json()
                        .get("recertifyBy")
                        .asString())
                .isGreaterThan(before);
    }

    @Test
    void aBurstOfPolicyDenialsPullsTheKillSwitchAndOpensAnIncident() throws Exception {
        String id = activeAgent("Risky", OTTO);
        String clientId = client.get("/api/v1/agents/" + id, admin())
                .json()
                .get("clientId")
                .asString();
        String token = client.agentToken(
                clientId, Files.readString(DATA.resolve("secrets").resolve(clientId + ".secret")));
        JsonNode rule =
                client.get("/api/v1/lifecycle-rules/risk-signal", admin()).json();
        long version = rule.get("version").asLong();
        // the sweep acts on every agent of the shared test instance: a short window keeps the demo agents, whose
        // denials other test classes accumulate, below the threshold, so only this agent's burst trips it
        assertThat(client.call(
                                "PUT",
                                "/api/v1/lifecycle-rules/risk-signal",
                                admin(),
                                body(true, "{\"denials\":40,\"window\":\"PT2M\"}", version))
                        .status())
                .isEqualTo(200);
        try {
            for (int i = 0; i < 40; i++) {
                var denied = client.call("POST", "/gateway/v1/text-search", token, """
                        {"collection":"ct-series","dataset":"dermatology-phi","purposeOfUse":"TREAT","text":"lesion","k":3}""");
                assertThat(denied.status()).isEqualTo(403);
            }
            JsonNode sweep = client.call("POST", "/api/v1/lifecycle-rules/sweep", admin(), null)
                    .json();
            assertThat(sweep.get("started").get("risk-signal").asInt()).isGreaterThanOrEqualTo(1);
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            client.get("/api/v1/kill-switches", secops()).body().contains(clientId));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> client.get("/api/v1/agents/" + id, admin())
                            .json()
                            .get("status")
                            .asString()
                            .equals("SUSPENDED"));
        } finally {
            client.call(
                    "PUT",
                    "/api/v1/lifecycle-rules/risk-signal",
                    admin(),
                    body(rule.get("enabled").asBoolean(), rule.get("parameters").toString(), version + 1));
        }
        JsonNode engaged = null;
        for (JsonNode each : client.get("/api/v1/kill-switches", secops()).json()) {
            if (clientId.equals(each.path("targetClientId").asString(null))
                    && id.equals(each.get("target").asString())) {
                engaged = each;
            }
        }
        assertThat(engaged).isNotNull();
        assertThat(engaged.get("engagedBy").asString()).isEqualTo("system:lifecycle-rules");
        client.call(
                "POST",
                "/api/v1/kill-switches/" + engaged.get("id").asString() + "/release",
                secops(),
                "{\"reason\":\"reviewed\"}");
        reinstateAfterIncident(clientId);
    }

    static final String OTTO = "3f1c2a9e-7b1d-4e0a-9c11-000000000a02";

    /** Two sweeps: the first starts each matching rule's process once, the second starts none again. */
    private void sweepTwice(String dormant, String due, String orphan) {
        JsonNode first = client.call("POST", "/api/v1/lifecycle-rules/sweep", admin(), null)
                .json();
        assertThat(first.get("skipped").asBoolean()).isFalse();
        assertThat(first.get("started").get("dormancy").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(engine.running(BpmnProcesses.RETIREMENT, dormant)).isTrue();
        assertThat(engine.running(BpmnProcesses.RECERTIFICATION, due)).isTrue();
        assertThat(engine.running(BpmnProcesses.ORPHANED, orphan)).isTrue();
        assertThat(engine.running(BpmnProcesses.RETIREMENT, due))
                .as("only the rule that matches")
                .isFalse();

        JsonNode second = client.call("POST", "/api/v1/lifecycle-rules/sweep", admin(), null)
                .json();
        assertThat(second.get("started").get("dormancy").asInt())
                .as("started once")
                .isZero();
        assertThat(second.get("started").get("recertification-due").asInt()).isZero();
        assertThat(second.get("started").get("orphaned-owner").asInt()).isZero();
    }

    private static String body(boolean enabled, String parameters, long version) {
        return "{\"enabled\":" + enabled + ",\"parameters\":" + parameters + ",\"version\":" + version + "}";
    }

    private static String activeAgent(String name, String ownerId) {
        var registered =
                client.call("POST", "/api/v1/agents", admin(), """
                {"name":"%s %s","kind":"RETRIEVAL","purpose":"Lifecycle rule test agent","ownerId":"%s",
                 "dataScopes":["imaging-ct-deid"],"tools":["text-search"]}""".formatted(name, UUID.randomUUID(), ownerId));
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
}
