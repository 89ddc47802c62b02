package io.warden.app;

import static io.warden.app.PortalTests.browser;
import static io.warden.app.PortalTests.get;
import static io.warden.app.PortalTests.post;
import static io.warden.app.PortalTests.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.WorkflowEngine;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The agent page's actions through the real app and sign-in: each person is offered what the API allows them,
 * a POST they may not make is refused 403 as the API refuses it, and bad input reads as the API's problem detail.
 */
class AgentActionsPortalTests extends IntegrationTest {

    static final String OTTO = "3f1c2a9e-7b1d-4e0a-9c11-000000000a02";
    static final String OLIVIA = "3f1c2a9e-7b1d-4e0a-9c11-000000000a03";

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowEngine engine;

    /** An agent of Otto's with the text-search tool, registered and waiting for an admin's approval. */
    static String registered(String name) {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"%s","kind":"RETRIEVAL","purpose":"Portal actions test","dataScopes":["imaging-ct-deid"],
                 "tools":["text-search"]}""".formatted(name));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        return registered.json().get("id").asString();
    }

    /** An ACTIVE agent of Otto's with the text-search tool, approved by an admin. */
    static String activeAgentOfOtto(String name) {
        String id = registered(name + " " + UUID.randomUUID());
        String approval = client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();
        assertThat(client.call("POST", "/api/v1/approvals/" + approval + "/approve", admin(), "{\"reason\":\"ok\"}")
                        .status())
                .isEqualTo(200);
        awaitStatus(id, "ACTIVE");
        return id;
    }

    static void awaitStatus(String id, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> status.equals(status(id)));
    }

    static String status(String id) {
        return client.get("/api/v1/agents/" + id, admin()).json().get("status").asString();
    }

    /** The API's problem detail as the page shows it, HTML-escaped. */
    static String apiDetail(String method, String path, String token, String json) {
        var problem = client.call(method, path, token, json);
        assertThat(problem.status()).as(problem.body()).isBetween(400, 499);
        return escaped(problem.json().get("detail").asString());
    }

    static String escaped(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    static HttpClient signedIn(String username) throws Exception {
        HttpClient browser = browser();
        signIn(browser, username);
        return browser;
    }

    @Test
    void anOwnerIsOfferedOnlyWhatTheApiAllowsAndEveryOtherActionIsRefused() throws Exception {
        String id = activeAgentOfOtto("Owner-offers");
        HttpClient otto = signedIn("otto.owner");
        String page = get(otto, "/portal/agents/" + id).body();
        assertThat(page)
                .contains("id=\"action-retire\"", "id=\"action-change\"")
                .doesNotContain(
                        "id=\"action-suspend\"",
                        "id=\"action-reinstate\"",
                        "id=\"action-owner\"",
                        "id=\"action-incident\"",
                        "id=\"action-kill\"",
                        "id=\"action-limits\"",
                        "id=\"action-attest\"",
                        "id=\"action-keep\"")
                .as("the owner by name, the id only to copy")
                .contains("Dr. Otto Owner (demo)", "<code");
        for (String action : List.of(
                "suspend",
                "reinstate",
                "owner",
                "incident",
                "incident/resolution",
                "kill-switch",
                "rate-limits/text-search",
                "rate-limits/text-search/removal",
                "no-such-action")) {
            HttpResponse<String> refused = post(
                    otto,
                    "/portal/agents/" + id + "/" + action,
                    page,
                    "reason=mine&confirmed=true&ownerId=" + OTTO + "&resolution=RETIRE&ratePerSecond=1&burst=1");
            assertThat(refused.statusCode()).as(action).isEqualTo(403);
        }
        assertThat(status(id)).isEqualTo("ACTIVE");

        HttpClient carla = signedIn("carla.compliance");
        String asCompliance = get(carla, "/portal/agents/" + id).body();
        assertThat(asCompliance).contains("id=\"agent-actions-none\"").doesNotContain("class=\"card card-body");
        assertThat(post(carla, "/portal/agents/" + id + "/retire", asCompliance, "reason=x&confirmed=true")
                        .statusCode())
                .isEqualTo(403);

        HttpClient olivia = signedIn("olivia.owner");
        String notHers = get(olivia, "/portal/agents/" + id).body();
        assertThat(notHers).as("another owner's agent").doesNotContain("id=\"action-retire\"");
        HttpResponse<String> byService =
                post(olivia, "/portal/agents/" + id + "/retire", notHers, "reason=not+mine&confirmed=true");
        assertThat(byService.statusCode())
                .as("the registry's ownership rule, as the API answers it")
                .isEqualTo(client.call(
                                "POST",
                                "/api/v1/agents/" + id + "/retire",
                                client.personToken("olivia.owner"),
                                "{\"reason\":\"x\"}")
                        .status())
                .isEqualTo(403);
        assertThat(status(id)).isEqualTo("ACTIVE");
    }

    @Test
    void securityOperationsSuspendWithAReasonAndConfirmationAndAnAdminReinstates() throws Exception {
        String id = activeAgentOfOtto("Suspend-reinstate");
        HttpClient sam = signedIn("sam.secops");
        String page = get(sam, "/portal/agents/" + id).body();
        assertThat(page).contains("id=\"action-suspend\"", "id=\"action-kill\"", "id=\"action-incident\"");

        HttpResponse<String> blank = post(sam, "/portal/agents/" + id + "/suspend", page, "reason=+&confirmed=true");
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(blank.body())
                .as("the API's own words")
                .contains(apiDetail("POST", "/api/v1/agents/" + id + "/suspend", secops(), "{\"reason\":\" \"}"))
                .containsPattern("id=\"suspend-reason\"[^>]*aria-invalid=\"true\"");
        HttpResponse<String> unconfirmed =
                post(sam, "/portal/agents/" + id + "/suspend", blank.body(), "reason=leaking+data");
        assertThat(unconfirmed.statusCode()).isEqualTo(400);
        assertThat(unconfirmed.body()).contains("Tick the confirmation", ">leaking data</textarea>");
        assertThat(status(id)).isEqualTo("ACTIVE");

        HttpResponse<String> suspended = post(
                sam, "/portal/agents/" + id + "/suspend", unconfirmed.body(), "reason=leaking+data&confirmed=true");
        assertThat(suspended.statusCode()).isEqualTo(200);
        assertThat(suspended.uri().getPath()).isEqualTo("/portal/agents/" + id);
        assertThat(suspended.body()).contains("Suspended: its calls are denied");
        assertThat(status(id)).isEqualTo("SUSPENDED");
        assertThat(suspended.body()).doesNotContain("id=\"action-suspend\"", "id=\"action-reinstate\"");
        Awaitility.await() // the audit trail records the change after it commits
                .atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(get(sam, "/portal/agents/" + id).body())
                        .as("the timeline names who did it")
                        .contains("Sam SecOps (demo)"));

        HttpClient ada = signedIn("ada.admin");
        String asAdmin = get(ada, "/portal/agents/" + id).body();
        assertThat(asAdmin).contains("id=\"action-reinstate\"");
        HttpResponse<String> reinstated =
                post(ada, "/portal/agents/" + id + "/reinstate", asAdmin, "reason=false+alarm");
        assertThat(reinstated.body()).contains("Reinstated.");
        assertThat(status(id)).isEqualTo("ACTIVE");
        HttpResponse<String> again = post(ada, "/portal/agents/" + id + "/reinstate", asAdmin, "reason=twice");
        assertThat(again.statusCode())
                .as("the registry's state rule, with the API's status")
                .isEqualTo(409);
        assertThat(again.body()).contains("role=\"alert\"", "id=\"reinstate-problem\"");
    }

    @Test
    void anOwnerRequestsAChangeAndRetiresTheirAgent() throws Exception {
        String id = activeAgentOfOtto("Change-retire");
        HttpClient otto = signedIn("otto.owner");
        String page = get(otto, "/portal/agents/" + id).body();
        assertThat(page).contains("name=\"removeTools\" value=\"text-search\"", "name=\"addPurposes\"");

        HttpResponse<String> noWhy =
                post(otto, "/portal/agents/" + id + "/change-requests", page, "addPurposes=HRESCH&justification=");
        assertThat(noWhy.statusCode()).isEqualTo(400);
        assertThat(noWhy.body())
                .contains(apiDetail(
                        "POST",
                        "/api/v1/agents/" + id + "/change-requests",
                        owner(),
                        "{\"addPurposes\":[\"HRESCH\"],\"justification\":\"\"}"));
        HttpResponse<String> hostile = post(
                otto, "/portal/agents/" + id + "/change-requests", page, "addPurposes=STEAL&justification=because");
        assertThat(hostile.statusCode()).isEqualTo(400);
        assertThat(hostile.body()).contains("Field &#39;addPurposes&#39; has a value of the wrong form");

        HttpResponse<String> requested = post(
                otto,
                "/portal/agents/" + id + "/change-requests",
                page,
                "addPurposes=HRESCH&justification=Cohort+studies");
        assertThat(requested.body()).contains("Change requested: it waits for approval");
        var pending = client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                .json()
                .get("items");
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).get("requestedBy").asString()).isEqualTo(OTTO);

        HttpResponse<String> unconfirmed =
                post(otto, "/portal/agents/" + id + "/retire", requested.body(), "reason=no+longer+needed");
        assertThat(unconfirmed.statusCode()).isEqualTo(400);
        assertThat(status(id)).isEqualTo("ACTIVE");
        HttpResponse<String> retired = post(
                otto, "/portal/agents/" + id + "/retire", requested.body(), "reason=no+longer+needed&confirmed=true");
        assertThat(retired.body()).contains("Retired.");
        assertThat(status(id)).isEqualTo("RETIRED");
        assertThat(retired.body()).contains("id=\"agent-actions-none\"");
    }

    @Test
    void attestingWhenNoRecertificationIsOpenIsRefusedAsTheApiRefusesIt() throws Exception {
        String id = activeAgentOfOtto("Attest");
        HttpClient otto = signedIn("otto.owner");
        String page = get(otto, "/portal/agents/" + id).body();
        assertThat(page).doesNotContain("id=\"action-attest\"", "id=\"action-keep\"");
        for (String action : List.of("attestation", "keep")) {
            var api = client.call("POST", "/api/v1/agents/" + id + "/" + action, owner(), null);
            HttpResponse<String> refused = post(otto, "/portal/agents/" + id + "/" + action, page, "x=1");
            assertThat(refused.statusCode()).as(action).isEqualTo(api.status()).isEqualTo(409);
            assertThat(refused.body()).contains(escaped(api.json().get("detail").asString()));
        }
    }

    @Test
    void anAdminReassignsTheOwnerAndSetsAndRemovesTheAgentsOwnLimit() throws Exception {
        String id = activeAgentOfOtto("Reassign-limit");
        HttpClient ada = signedIn("ada.admin");
        String page = get(ada, "/portal/agents/" + id).body();
        assertThat(page).contains("id=\"action-owner\"", "id=\"action-limits\"");

        HttpResponse<String> nobody =
                post(ada, "/portal/agents/" + id + "/owner", page, "ownerId=nobody&reason=handover&confirmed=true");
        var api = client.call(
                "PUT", "/api/v1/agents/" + id + "/owner", admin(), "{\"ownerId\":\"nobody\",\"reason\":\"handover\"}");
        assertThat(nobody.statusCode()).isEqualTo(api.status()).isBetween(400, 499);
        assertThat(nobody.body()).contains(escaped(api.json().get("detail").asString()));
        assertThat(client.get("/api/v1/agents/" + id, admin())
                        .json()
                        .get("ownerId")
                        .asString())
                .isEqualTo(OTTO);

        HttpResponse<String> moved = post(
                ada, "/portal/agents/" + id + "/owner", page, "ownerId=" + OLIVIA + "&reason=handover&confirmed=true");
        assertThat(moved.body()).contains("Owner changed.", "Dr. Olivia Owner (demo)");
        assertThat(client.get("/api/v1/agents/" + id, admin())
                        .json()
                        .get("ownerId")
                        .asString())
                .isEqualTo(OLIVIA);

        HttpResponse<String> zeroBurst = post(
                ada,
                "/portal/agents/" + id + "/rate-limits/text-search",
                moved.body(),
                "ratePerSecond=5&burst=0&dailyQuota=&monthlyQuota=&version=0");
        assertThat(zeroBurst.statusCode()).isEqualTo(400);
        assertThat(zeroBurst.body())
                .contains(apiDetail(
                        "PUT",
                        "/api/v1/rate-limits/tools/text-search/agents/" + id,
                        admin(),
                        "{\"ratePerSecond\":5,\"burst\":0,\"version\":0}"));
        HttpResponse<String> words = post(
                ada,
                "/portal/agents/" + id + "/rate-limits/text-search",
                moved.body(),
                "ratePerSecond=fast&burst=1&version=0");
        assertThat(words.statusCode()).isEqualTo(400);
        assertThat(words.body()).contains("Field &#39;ratePerSecond&#39; has the wrong type");

        HttpResponse<String> set = post(
                ada,
                "/portal/agents/" + id + "/rate-limits/text-search",
                moved.body(),
                "ratePerSecond=5&burst=10&dailyQuota=100&monthlyQuota=&version=0");
        assertThat(set.body()).contains("Limit set for");
        var quota = client.get("/api/v1/agents/" + id + "/quota", admin())
                .json()
                .get("tools")
                .get(0);
        assertThat(quota.get("source").asString()).isEqualTo("AGENT");
        assertThat(quota.get("daily").get("quota").asLong()).isEqualTo(100);
        assertThat(quota.get("burst").asInt()).isEqualTo(10);

        HttpResponse<String> stale = post(
                ada,
                "/portal/agents/" + id + "/rate-limits/text-search",
                moved.body(),
                "ratePerSecond=6&burst=10&version=0");
        assertThat(stale.statusCode())
                .as("the version read is checked, as in the API")
                .isEqualTo(409);

        HttpResponse<String> removed =
                post(ada, "/portal/agents/" + id + "/rate-limits/text-search/removal", set.body(), "x=1");
        assertThat(removed.body()).contains("is removed");
        assertThat(client.get("/api/v1/agents/" + id + "/quota", admin())
                        .json()
                        .get("tools")
                        .get(0)
                        .get("source")
                        .asString())
                .isNotEqualTo("AGENT");
    }

    @Test
    void securityOperationsRaiseAndResolveAnIncidentAndEngageAKillSwitchForTheAgent() throws Exception {
        String id = activeAgentOfOtto("Incident-kill");
        HttpClient sam = signedIn("sam.secops");
        String page = get(sam, "/portal/agents/" + id).body();

        HttpResponse<String> raised =
                post(sam, "/portal/agents/" + id + "/incident", page, "reason=odd+reads&confirmed=true");
        assertThat(raised.body()).contains("Incident raised");
        awaitStatus(id, "SUSPENDED");
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> get(sam, "/portal/agents/" + id).body().contains("id=\"action-resolve\""));
        String open = get(sam, "/portal/agents/" + id).body();
        assertThat(open).doesNotContain("id=\"action-incident\"");
        HttpResponse<String> badResolution =
                post(sam, "/portal/agents/" + id + "/incident/resolution", open, "resolution=FORGET&reason=x");
        assertThat(badResolution.statusCode()).isEqualTo(400);
        assertThat(badResolution.body()).contains("Field &#39;resolution&#39;");
        HttpResponse<String> resolved =
                post(sam, "/portal/agents/" + id + "/incident/resolution", open, "resolution=REINSTATE&reason=benign");
        assertThat(resolved.body()).contains("Incident resolved: REINSTATE.");
        awaitStatus(id, "ACTIVE");

        String active = get(sam, "/portal/agents/" + id).body();
        HttpResponse<String> unconfirmed =
                post(sam, "/portal/agents/" + id + "/kill-switch", active, "reason=exfiltration");
        assertThat(unconfirmed.statusCode()).isEqualTo(400);
        assertThat(client.get("/api/v1/kill-switches", secops()).body()).doesNotContain(id);
        HttpResponse<String> engaged =
                post(sam, "/portal/agents/" + id + "/kill-switch", active, "reason=exfiltration&confirmed=true");
        assertThat(engaged.body()).contains("Kill switch engaged", "id=\"agent-killed\"", "exfiltration");
        String switchId = null;
        for (var each : client.get("/api/v1/kill-switches", secops()).json()) {
            if (id.equals(each.get("target").asString())) {
                switchId = each.get("id").asString();
                assertThat(each.get("scope").asString()).isEqualTo("AGENT");
                assertThat(each.get("engagedBy").asString()).isEqualTo("3f1c2a9e-7b1d-4e0a-9c11-000000000a05");
            }
        }
        assertThat(switchId).as("engaged through the same service as the API").isNotNull();
        client.call("POST", "/api/v1/kill-switches/" + switchId + "/release", secops(), "{\"reason\":\"test over\"}");
    }

    @Test
    void anOwnerAttestsAnAgentTheSweepFoundDueAndTheRecertificationEndsAsThroughTheApi() throws Exception {
        String id = activeAgentOfOtto("Recertify");
        jdbc.sql("update agent set recertify_by = :t where id = cast(:id as uuid)")
                .param("t", Timestamp.from(Instant.now().minus(Duration.ofDays(1))))
                .param("id", id)
                .update();
        sweepWithout("risk-signal", "orphaned-owner");
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> engine.running(BpmnProcesses.RECERTIFICATION, id));

        HttpClient olivia = signedIn("olivia.owner");
        String notHers = get(olivia, "/portal/agents/" + id).body();
        assertThat(notHers).as("another owner's agent").doesNotContain("id=\"action-attest\"");
        var byApi =
                client.call("POST", "/api/v1/agents/" + id + "/attestation", client.personToken("olivia.owner"), null);
        HttpResponse<String> refused = post(olivia, "/portal/agents/" + id + "/attestation", notHers, "x=1");
        assertThat(refused.statusCode())
                .as("the lifecycle service's ownership rule, as the API answers it")
                .isEqualTo(byApi.status())
                .isEqualTo(403);
        assertThat(engine.running(BpmnProcesses.RECERTIFICATION, id)).isTrue();

        HttpClient otto = signedIn("otto.owner");
        String page = get(otto, "/portal/agents/" + id).body();
        assertThat(page).contains("id=\"action-attest\"").doesNotContain("id=\"action-keep\"");
        HttpResponse<String> attested = post(otto, "/portal/agents/" + id + "/attestation", page, "x=1");
        assertThat(attested.statusCode()).isEqualTo(200);
        assertThat(attested.uri().getPath()).isEqualTo("/portal/agents/" + id);
        assertThat(attested.body()).contains("Attested: the recertification moves on.");

        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> !engine.running(BpmnProcesses.RECERTIFICATION, id));
        assertThat(Instant.parse(client.get("/api/v1/agents/" + id, admin())
                        .json()
                        .get("recertifyBy")
                        .asString()))
                .as("recertified for another period, as an attestation through the API does")
                .isAfter(Instant.now().plus(Duration.ofDays(30)));
        assertThat(status(id)).isEqualTo("ACTIVE");
        assertThat(get(otto, "/portal/agents/" + id).body()).doesNotContain("id=\"action-attest\"");
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(audited(id)).contains("workflow.message agent-attested", "agent.recertified"));
        assertThat(decidedBy(id, "lifecycle.attested"))
                .as("the attestation is the owner's")
                .isEqualTo(OTTO);

        var again = client.call("POST", "/api/v1/agents/" + id + "/attestation", owner(), null);
        HttpResponse<String> twice = post(otto, "/portal/agents/" + id + "/attestation", page, "x=1");
        assertThat(twice.statusCode())
                .as("nothing left to attest")
                .isEqualTo(again.status())
                .isEqualTo(409);
    }

    @Test
    void anOwnerKeepsAnAgentTheSweepFoundDormantAndTheRetirementEndsAsThroughTheApi() throws Exception {
        String id = activeAgentOfOtto("Dormant");
        Instant longAgo = Instant.now().minus(Duration.ofDays(200));
        jdbc.sql("update agent set last_active_at = :t, approved_at = :t where id = cast(:id as uuid)")
                .param("t", Timestamp.from(longAgo))
                .param("id", id)
                .update();
        sweepWithout("risk-signal", "orphaned-owner");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> engine.running(BpmnProcesses.RETIREMENT, id));

        HttpClient carla = signedIn("carla.compliance");
        assertThat(get(carla, "/portal/agents/" + id).body())
                .as("compliance oversees, the owner keeps")
                .doesNotContain("id=\"action-keep\"");
        HttpClient otto = signedIn("otto.owner");
        String page = get(otto, "/portal/agents/" + id).body();
        assertThat(page).contains("id=\"action-keep\"").doesNotContain("id=\"action-attest\"");
        HttpResponse<String> kept = post(otto, "/portal/agents/" + id + "/keep", page, "x=1");
        assertThat(kept.statusCode()).isEqualTo(200);
        assertThat(kept.body()).contains("Kept: the agent will not be retired for dormancy now.");

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !engine.running(BpmnProcesses.RETIREMENT, id));
        JsonNode agent = client.get("/api/v1/agents/" + id, admin()).json();
        assertThat(agent.get("status").asString()).isEqualTo("ACTIVE");
        assertThat(Instant.parse(agent.get("lastActiveAt").asString()))
                .as("kept counts as activity, as a keep through the API does")
                .isAfter(longAgo.plus(Duration.ofDays(100)));
        assertThat(get(otto, "/portal/agents/" + id).body()).doesNotContain("id=\"action-keep\"");
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(audited(id)).contains("workflow.message agent-kept"));
        assertThat(decidedBy(id, "lifecycle.kept"))
                .as("keeping it is the owner's decision")
                .isEqualTo(OTTO);

        var again = client.call("POST", "/api/v1/agents/" + id + "/keep", owner(), null);
        HttpResponse<String> twice = post(otto, "/portal/agents/" + id + "/keep", page, "x=1");
        assertThat(twice.statusCode())
                .as("nothing left to keep")
                .isEqualTo(again.status())
                .isEqualTo(409);
    }

    /**
     * Sweeps the lifecycle rules now, as an admin's {@code POST /api/v1/lifecycle-rules/sweep} does, with the named
     * rules off meanwhile: the sweep acts on every agent of the shared test instance, and the demo agents accumulate
     * policy denials from other classes that would pull the risk signal's kill switch.
     */
    static void sweepWithout(String... rules) {
        Map<String, JsonNode> before = new LinkedHashMap<>();
        Map<String, Long> versions = new LinkedHashMap<>();
        try {
            for (String key : rules) {
                JsonNode rule =
                        client.get("/api/v1/lifecycle-rules/" + key, admin()).json();
                before.put(key, rule);
                var off = client.call(
                        "PUT",
                        "/api/v1/lifecycle-rules/" + key,
                        admin(),
                        rule(false, rule, rule.get("version").asLong()));
                assertThat(off.status()).as(off.body()).isEqualTo(200);
                versions.put(key, off.json().get("version").asLong());
            }
            Awaitility.await() // a scheduled sweep holding the lock makes this one skip
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> !client.call("POST", "/api/v1/lifecycle-rules/sweep", admin(), null)
                            .json()
                            .get("skipped")
                            .asBoolean());
        } finally {
            for (var each : before.entrySet()) {
                Long version = versions.get(each.getKey());
                if (version != null) {
                    client.call(
                            "PUT",
                            "/api/v1/lifecycle-rules/" + each.getKey(),
                            admin(),
                            rule(each.getValue().get("enabled").asBoolean(), each.getValue(), version));
                }
            }
        }
    }

    private static String rule(boolean enabled, JsonNode rule, long version) {
        return "{\"enabled\":" + enabled + ",\"parameters\":" + rule.get("parameters") + ",\"version\":" + version
                + "}";
    }

    /** The agent's audit records as "action" or "action message" (a workflow message's name), as compliance reads them. */
    /** Who the newest {@code action} record of the agent names as its actor ("" when there is none). */
    static String decidedBy(String id, String action) {
        for (JsonNode item : client.get(
                        "/api/v1/audit/events?agent=" + id + "&action=" + action + "&limit=1", compliance())
                .json()
                .get("items")) {
            assertThat(item.get("actor").get("type").asString()).isEqualTo("PERSON");
            return item.get("actor").get("id").asString();
        }
        return "";
    }

    static List<String> audited(String id) {
        List<String> seen = new ArrayList<>();
        for (JsonNode item : client.get("/api/v1/audit/events?agent=" + id + "&limit=100", compliance())
                .json()
                .get("items")) {
            String message = item.path("details").path("message").asString("");
            seen.add(item.get("action").asString() + (message.isEmpty() ? "" : " " + message));
        }
        return seen;
    }
}
