package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.policy.KillSwitches;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Kill switches through the API: engage, refuse doubles, release, the two-person global release, audit. */
class KillSwitchTests extends IntegrationTest {

    @Autowired
    KillSwitches killSwitches;

    @Test
    void anAgentSwitchStopsThatAgentUntilReleasedAndEveryChangeIsAudited() {
        var heard = new AtomicInteger();
        killSwitches.onEngaged(heard::incrementAndGet); // what the gateway uses to cancel calls in flight
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"AGENT\",\"target\":\"demo-wound-classifier\",\"reason\":\"denial burst\"}");
        assertThat(engaged.status()).as(engaged.body()).isEqualTo(201);
        String id = engaged.json().get("id").asString();
        assertThat(killSwitches
                        .covers("demo-wound-classifier", "classify", "dermatology-phi")
                        .agent())
                .isTrue();
        assertThat(killSwitches
                        .covers("demo-retrieval-agent", "classify", "dermatology-phi")
                        .any())
                .isFalse();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> heard.get() >= 1);

        var again = client.call(
                "POST",
                "/api/v1/kill-switches",
                admin(),
                "{\"scope\":\"AGENT\",\"target\":\"demo-wound-classifier\",\"reason\":\"twice\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("code").asString()).isEqualTo("already-engaged");

        var released = client.call(
                "POST", "/api/v1/kill-switches/" + id + "/release", admin(), "{\"reason\":\"investigated\"}");
        assertThat(released.status()).isEqualTo(200);
        assertThat(released.json().get("active").asBoolean()).isFalse();
        assertThat(killSwitches
                        .covers("demo-wound-classifier", "classify", "dermatology-phi")
                        .any())
                .isFalse();
        reinstateAfterIncident("demo-wound-classifier");

        JsonNode audited = client.get("/api/v1/audit/events?agent=demo-wound-classifier&limit=10", compliance())
                .json()
                .get("items");
        assertThat(audited)
                .extracting(item -> item.get("action").asString())
                .contains("kill_switch.engaged", "kill_switch.released");
    }

    @Test
    void releasingTheGlobalSwitchNeedsASecondPerson() {
        var engaged = client.call(
                "POST", "/api/v1/kill-switches", secops(), "{\"scope\":\"GLOBAL\",\"reason\":\"incident 42\"}");
        assertThat(engaged.status()).as(engaged.body()).isEqualTo(201);
        String id = engaged.json().get("id").asString();
        assertThat(killSwitches.covers("any-agent", "any-tool", "any-dataset").global())
                .isTrue();

        var requested =
                client.call("POST", "/api/v1/kill-switches/" + id + "/release", secops(), "{\"reason\":\"contained\"}");
        assertThat(requested.status()).isEqualTo(202);
        assertThat(killSwitches.covers("any-agent", "any-tool", "any-dataset").global())
                .isTrue();
        var samePerson =
                client.call("POST", "/api/v1/kill-switches/" + id + "/release", secops(), "{\"reason\":\"contained\"}");
        assertThat(samePerson.status()).isEqualTo(403);
        assertThat(samePerson.json().get("code").asString()).isEqualTo("second-person-required");
        var confirmed =
                client.call("POST", "/api/v1/kill-switches/" + id + "/release", admin(), "{\"reason\":\"confirmed\"}");
        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(killSwitches.covers("any-agent", "any-tool", "any-dataset").any())
                .isFalse();
    }

    @Test
    void badRequestsAreProblems() {
        var noTarget = client.call("POST", "/api/v1/kill-switches", secops(), "{\"scope\":\"TOOL\",\"reason\":\"x\"}");
        assertThat(noTarget.status()).isEqualTo(400);
        assertThat(noTarget.json().get("code").asString()).isEqualTo("invalid-target");
        var noReason =
                client.call("POST", "/api/v1/kill-switches", secops(), "{\"scope\":\"TOOL\",\"target\":\"classify\"}");
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.json().get("field").asString()).isEqualTo("reason");
        var unknownScope =
                client.call("POST", "/api/v1/kill-switches", secops(), "{\"scope\":\"PLANET\",\"reason\":\"x\"}");
        assertThat(unknownScope.status()).isEqualTo(400);
    }
}
