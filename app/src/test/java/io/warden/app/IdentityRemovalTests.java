package io.warden.app;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.WorkflowEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.operaton.bpm.engine.impl.util.ClockUtil;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Retiring removes the agent's identity, whichever path retires it (the API, dormancy, a lapsed
 * recertification, an incident): the token endpoint refuses the client from the moment the status changes,
 * then the embedded provider's client and the secret in the secret store go, recorded once as
 * {@code identity.removed}. A suspended agent gets no token until it is reinstated. Timers are passed by
 * moving the engine's clock.
 */
class IdentityRemovalTests extends IntegrationTest {

    static final String OTTO = "3f1c2a9e-7b1d-4e0a-9c11-000000000a02";

    @Autowired
    WorkflowEngine engine;

    @Autowired
    JdbcClient jdbc;

    @Test
    void retiringThroughTheApiRefusesTheNextTokenAndRemovesTheClientAndItsSecret() {
        String id = activeAgent("API retired");
        String clientId = clientId(id);
        String secret = secret(clientId);
        assertThat(token(clientId, secret).status()).isEqualTo(200);

        var retired =
                client.call("POST", "/api/v1/agents/" + id + "/retire", admin(), "{\"reason\":\"no longer needed\"}");
        assertThat(retired.status()).as(retired.body()).isEqualTo(200);
        var refused = token(clientId, secret);
        assertThat(refused.status()).as("refused at once").isEqualTo(401);
        assertThat(refused.json().get("error").asString()).isEqualTo("invalid_client");

        awaitRemoved(id, clientId, secret);
    }

    @Test
    void aSuspendedAgentGetsNoTokenUntilItIsReinstated() {
        String id = activeAgent("Suspended");
        String clientId = clientId(id);
        String secret = secret(clientId);
        assertThat(client.call("POST", "/api/v1/agents/" + id + "/suspend", admin(), "{\"reason\":\"odd traffic\"}")
                        .status())
                .isEqualTo(200);
        var refused = token(clientId, secret);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("error").asString()).isEqualTo("invalid_client");
        await().atMost(Duration.ofSeconds(20)).until(() -> actions(id).contains("identity.disabled"));
        assertThat(jdbc.sql(
                                "select client_secret_expires_at is not null from oauth2_registered_client where client_id = :c")
                        .param("c", clientId)
                        .query(Boolean.class)
                        .single())
                .as("the identity itself is disabled too")
                .isTrue();

        assertThat(client.call("POST", "/api/v1/agents/" + id + "/reinstate", admin(), "{\"reason\":\"explained\"}")
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> token(clientId, secret).status() == 200);
        assertThat(actions(id)).contains("identity.enabled");
        assertThat(Files.exists(secretFile(clientId)))
                .as("suspension keeps the secret")
                .isTrue();
    }

    @Test
    void aDormantAgentRetiredAfterTheGracePeriodLosesItsIdentity() {
        String id = activeAgent("Dormant");
        String clientId = clientId(id);
        String secret = secret(clientId);
        engine.start(BpmnProcesses.RETIREMENT, id, Map.of());
        awaitTimer(id, Duration.ofDays(10));
        try {
            ClockUtil.setCurrentTime(Date.from(Instant.now().plus(Duration.ofDays(15))));
            awaitStatus(id, "RETIRED");
        } finally {
            ClockUtil.reset();
        }
        assertThat(token(clientId, secret).status()).isEqualTo(401);
        awaitRemoved(id, clientId, secret);
    }

    @Test
    void anAgentNotRecertifiedIsSuspendedWithoutTokensThenRetiredWithoutAnIdentity() {
        String id = activeAgent("Not recertified");
        String clientId = clientId(id);
        String secret = secret(clientId);
        engine.start(BpmnProcesses.RECERTIFICATION, id, Map.of());
        awaitTimer(id, Duration.ofDays(10));
        try {
            ClockUtil.setCurrentTime(Date.from(Instant.now().plus(Duration.ofDays(15))));
            awaitStatus(id, "SUSPENDED");
            assertThat(token(clientId, secret).status())
                    .as("a suspended agent obtains no token")
                    .isEqualTo(401);
            await().atMost(Duration.ofSeconds(20)).until(() -> actions(id).contains("identity.disabled"));
            awaitTimer(id, Duration.ofDays(40)); // the 30 more days, counted from the suspension
            ClockUtil.setCurrentTime(Date.from(Instant.now().plus(Duration.ofDays(46))));
            awaitStatus(id, "RETIRED");
        } finally {
            ClockUtil.reset();
        }
        assertThat(token(clientId, secret).status()).isEqualTo(401);
        awaitRemoved(id, clientId, secret);
    }

    @Test
    void anIncidentResolvedByRetiringRemovesTheIdentity() {
        String id = activeAgent("Incident retired");
        String clientId = clientId(id);
        String secret = secret(clientId);
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"AGENT\",\"target\":\"" + clientId + "\",\"reason\":\"exfiltration suspected\"}");
        assertThat(engaged.status()).as(engaged.body()).isEqualTo(201);
        try {
            awaitStatus(id, "SUSPENDED");
            assertThat(token(clientId, secret).status()).isEqualTo(401);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> client.call(
                                            "POST",
                                            "/api/v1/agents/" + id + "/incident/resolution",
                                            secops(),
                                            "{\"resolution\":\"RETIRE\",\"reason\":\"confirmed\"}")
                                    .status()
                            == 202);
            awaitStatus(id, "RETIRED");
        } finally {
            client.call(
                    "POST",
                    "/api/v1/kill-switches/" + engaged.json().get("id").asString() + "/release",
                    secops(),
                    "{\"reason\":\"agent retired\"}");
        }
        assertThat(token(clientId, secret).status()).isEqualTo(401);
        awaitRemoved(id, clientId, secret);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** The client, its issued authorizations and its secret file are gone, and the removal is recorded once, without the secret. */
    private void awaitRemoved(String id, String clientId, String secret) {
        await().atMost(Duration.ofSeconds(20)).until(() -> actions(id).contains("identity.removed"));
        assertThat(Files.exists(secretFile(clientId)))
                .as("the secret file is gone")
                .isFalse();
        assertThat(jdbc.sql("select count(*) from oauth2_registered_client where client_id = :c")
                        .param("c", clientId)
                        .query(Long.class)
                        .single())
                .as("the client is gone")
                .isZero();
        assertThat(jdbc.sql("""
                select count(*) from oauth2_authorization where registered_client_id = :id""")
                        .param(
                                "id",
                                UUID.nameUUIDFromBytes(("agent:" + clientId).getBytes())
                                        .toString())
                        .query(Long.class)
                        .single())
                .as("its issued authorizations are gone")
                .isZero();
        List<Map<String, @Nullable Object>> records =
                jdbc.sql("""
                select detail_keys, detail_values from audit_event where agent_id = :id and action = 'identity.removed'""").param("id", id).query().listOfRows();
        assertThat(records).as("removed exactly once").hasSize(1);
        assertThat(requireNonNull(records.getFirst().get("detail_values")).toString())
                .contains(clientId)
                .doesNotContain(secret);
    }

    /** The process waits at a timer due more than {@code ahead} from now (so moving the clock past it fires it). */
    private void awaitTimer(String id, Duration ahead) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> jdbc.sql("""
                select count(*) from act_ru_job j join act_ru_execution e on e.id_ = j.process_instance_id_
                where e.business_key_ = :id and j.type_ = 'timer' and j.duedate_ > :after""")
                                .param("id", id)
                                .param("after", Timestamp.from(Instant.now().plus(ahead)))
                                .query(Long.class)
                                .single()
                        > 0);
    }

    private static String activeAgent(String name) {
        var registered = client.call("POST", "/api/v1/agents", admin(), """
                {"name":"%s %s","kind":"RETRIEVAL","purpose":"Identity removal test agent","ownerId":"%s",
                 "dataScopes":["imaging-ct-deid"],"tools":["text-search"]}""".formatted(name, UUID.randomUUID(), OTTO));
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
        awaitStatus(id, "ACTIVE");
        return id;
    }

    private static String clientId(String id) {
        return client.get("/api/v1/agents/" + id, admin())
                .json()
                .get("clientId")
                .asString();
    }

    private static void awaitStatus(String id, String status) {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(client.get("/api/v1/agents/" + id, admin())
                                .json()
                                .get("status")
                                .asString())
                        .isEqualTo(status));
    }

    private List<String> actions(String id) {
        return jdbc.sql("select action from audit_event where agent_id = :id")
                .param("id", id)
                .query((row, n) -> row.getString(1))
                .list();
    }

    private static Path secretFile(String clientId) {
        return DATA.resolve("secrets").resolve(clientId + ".secret");
    }

    private static String secret(String clientId) {
        String secret = secretIfPresent(clientId);
        assertThat(secret).as("the provisioned secret").isNotBlank();
        return requireNonNull(secret);
    }

    private static @Nullable String secretIfPresent(String clientId) {
        try {
            return Files.exists(secretFile(clientId)) ? Files.readString(secretFile(clientId)) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static WardenClient.Response token(String clientId, String secret) {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return client.send(client.request("/oauth2/token")
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")));
    }
}
