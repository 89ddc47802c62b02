package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Through the real app and gateway: an admin limits one agent's tool; its calls beyond the rate are
 * refused with 429, Retry-After and RATE_LIMITED, beyond the daily quota with QUOTA_EXHAUSTED and a
 * Retry-After until midnight UTC; the quota endpoint shows what remains (to the agent's owner, not to
 * another owner); each change and each refusal is in the audit trail; bad input is a problem naming the
 * field.
 */
class RateLimitTests extends IntegrationTest {

    static final String CLIENT = "demo-orchestrator-specialist";
    static final String TOOL = "text-search";

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @BeforeEach
    void collection() {
        collections.replace(
                "rl-series",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(
                        embedder,
                        List.of(new TextItem(
                                "s1", "CT chest axial lung window", Map.of("dataset", "imaging-ct-deid")))));
        governedCollection("rl-series", "imaging-ct-deid");
    }

    static String agentToken() {
        return client.agentToken(CLIENT, CLIENT + "-secret");
    }

    static WardenClient.Response call() {
        return client.call("POST", "/gateway/v1/" + TOOL, agentToken(), """
                {"collection":"rl-series","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"chest","k":1}""");
    }

    static String override(String agentId) {
        return "/api/v1/rate-limits/tools/" + TOOL + "/agents/" + agentId;
    }

    @Test
    void beyondTheRateAndTheQuotaCallsAreRefusedWith429AndTheQuotaShowsWhatRemains() throws Exception {
        String agentId = agentByClientId(CLIENT).get("id").asString();
        try {
            var set = client.call("PUT", override(agentId), admin(), "{\"ratePerSecond\":0.01,\"burst\":2}");
            assertThat(set.status()).as(set.body()).isEqualTo(200);
            assertThat(set.header("ETag")).isEqualTo("\"1\"");
            assertThat(call().status()).isEqualTo(200);
            assertThat(call().status()).isEqualTo(200);
            var limited = call();
            assertThat(limited.status()).as(limited.body()).isEqualTo(429);
            assertThat(limited.contentType()).startsWith("application/problem+json");
            assertThat(limited.json().get("reasons").toString()).contains("RATE_LIMITED");
            assertThat(Long.parseLong(limited.header("Retry-After")))
                    .as("one token at 0.01/s")
                    .isBetween(90L, 100L);

            long used = quotaOf(agentId, owner(CLIENT)).get("daily").get("used").asLong();
            var quota = client.call(
                    "PUT",
                    override(agentId),
                    admin(),
                    "{\"ratePerSecond\":1000,\"burst\":1000,\"dailyQuota\":%d,\"version\":1}".formatted(used + 2));
            assertThat(quota.status()).as(quota.body()).isEqualTo(200);
            String adminId = quota.json().get("updatedBy").asString();
            assertThat(call().status()).isEqualTo(200);
            assertThat(call().status()).isEqualTo(200);
            var spent = call();
            assertThat(spent.status()).isEqualTo(429);
            assertThat(spent.json().get("reasons").toString()).contains("QUOTA_EXHAUSTED");
            assertThat(spent.json().get("code").asString()).isEqualTo("quota-exhausted");
            long untilMidnight = Duration.between(
                            Instant.now(),
                            LocalDate.now(ZoneOffset.UTC)
                                    .plusDays(1)
                                    .atStartOfDay(ZoneOffset.UTC)
                                    .toInstant())
                    .toSeconds();
            assertThat(Long.parseLong(spent.header("Retry-After"))).isBetween(untilMidnight - 10, untilMidnight + 10);

            JsonNode mine = quotaOf(agentId, owner(CLIENT));
            assertThat(mine.get("toolName").asString()).isEqualTo("Natural-language search over text embeddings");
            assertThat(mine.get("source").asString()).isEqualTo("AGENT");
            assertThat(mine.get("daily").get("quota").asLong()).isEqualTo(used + 2);
            assertThat(mine.get("daily").get("remaining").asLong()).isZero();
            assertThat(mine.get("monthly").get("remaining").isNull())
                    .as("no monthly quota")
                    .isTrue();
            var otherOwner = client.get("/api/v1/agents/" + agentId + "/quota", owner());
            assertThat(otherOwner.status()).as("otto does not own it").isEqualTo(403);
            assertThat(otherOwner.json().get("code").asString()).isEqualTo("not-owner");
            assertThat(client.get("/api/v1/agents/" + agentId + "/quota", secops())
                            .status())
                    .isEqualTo(200);

            var olivia = PortalTests.browser();
            PortalTests.signIn(olivia, "olivia.owner");
            String page = PortalTests.get(olivia, "/portal/agents/" + agentId).body();
            assertThat(page)
                    .contains(
                            "id=\"agent-quota\"",
                            "Natural-language search over text embeddings",
                            "<td class=\"quota-left-today\">0</td>",
                            (used + 2) + " of " + (used + 2));
            var otto = PortalTests.browser();
            PortalTests.signIn(otto, "otto.owner");
            assertThat(PortalTests.get(otto, "/portal/agents/" + agentId).body())
                    .as("not otto's agent")
                    .doesNotContain("agent-quota");

            var limits = client.get("/api/v1/rate-limits/tools/" + TOOL, compliance());
            assertThat(limits.status()).isEqualTo(200);
            assertThat(limits.json().get("overrides")).anySatisfy(o -> {
                assertThat(o.get("agentId").asString()).isEqualTo(agentId);
                assertThat(o.get("agentName").asString()).isEqualTo("Demo imaging specialist");
                assertThat(o.get("dailyQuota").asLong()).isEqualTo(used + 2);
            });

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                JsonNode denials = client.get(
                                "/api/v1/audit/events?agent=" + CLIENT
                                        + "&action=gateway.decision&decision=DENY&limit=20",
                                compliance())
                        .json()
                        .get("items");
                assertThat(denials)
                        .anySatisfy(d -> assertThat(d.get("reasons").toString()).contains("RATE_LIMITED"));
                assertThat(denials)
                        .anySatisfy(d -> assertThat(d.get("reasons").toString()).contains("QUOTA_EXHAUSTED"));
                JsonNode changes = client.get(
                                "/api/v1/audit/events?action=rate_limit.override_set&limit=10", compliance())
                        .json()
                        .get("items");
                assertThat(changes).anySatisfy(c -> {
                    assertThat(c.get("actor").get("id").asString()).isEqualTo(adminId);
                    assertThat(c.get("actor").get("type").asString()).isEqualTo("PERSON");
                    assertThat(c.get("details").get("new").asString()).contains("daily=" + (used + 2));
                    assertThat(c.get("details").get("old").asString())
                            .isEqualTo("rate=0.01/s burst=2 daily=none monthly=none");
                });
            });
        } finally {
            assertThat(client.call("DELETE", override(agentId), admin(), null).status())
                    .isEqualTo(204);
        }
        assertThat(call().status()).as("back on the tool's default").isEqualTo(200);
        assertThat(client.call("DELETE", override(agentId), admin(), null).status())
                .as("idempotent")
                .isEqualTo(204);
    }

    @Test
    void aToolDefaultIsReadBackWithItsVersionAndStaleWritesAreRefused() {
        var before = client.get("/api/v1/rate-limits/tools/cohort-search", admin());
        assertThat(before.status()).isEqualTo(200);
        long version = before.json().get("version").asLong();
        var set = client.call(
                "PUT",
                "/api/v1/rate-limits/tools/cohort-search",
                admin(),
                "{\"ratePerSecond\":100,\"burst\":200,\"monthlyQuota\":1000000,\"version\":%d}".formatted(version));
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("source").asString()).isEqualTo("TOOL");
        assertThat(set.json().get("toolName").asString()).isEqualTo("Natural-language imaging cohort search");
        long now = set.json().get("version").asLong();
        var again = client.call(
                "PUT",
                "/api/v1/rate-limits/tools/cohort-search",
                admin(),
                "{\"ratePerSecond\":100,\"burst\":200,\"monthlyQuota\":1000000,\"version\":%d}".formatted(now));
        assertThat(again.json().get("version").asLong())
                .as("the same values change nothing")
                .isEqualTo(now);
        var stale = client.call(
                "PUT",
                "/api/v1/rate-limits/tools/cohort-search",
                admin(),
                "{\"ratePerSecond\":50,\"burst\":200,\"version\":%d}".formatted(now + 7));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.json().get("code").asString()).isEqualTo("stale-version");
        assertThat(stale.json().get("field").asString()).isEqualTo("version");
    }

    @Test
    void badInputIsAProblemNamingTheField() {
        String agentId = agentByClientId(CLIENT).get("id").asString();
        String path = override(agentId);
        assertField(client.call("PUT", path, admin(), "{\"ratePerSecond\":0,\"burst\":1}"), 400, "ratePerSecond");
        assertField(client.call("PUT", path, admin(), "{\"ratePerSecond\":-1,\"burst\":1}"), 400, "ratePerSecond");
        assertField(client.call("PUT", path, admin(), "{\"ratePerSecond\":1e300,\"burst\":1}"), 400, "ratePerSecond");
        assertField(client.call("PUT", path, admin(), "{\"ratePerSecond\":1}"), 400, "burst");
        assertField(client.call("PUT", path, admin(), "{\"ratePerSecond\":1,\"burst\":0}"), 400, "burst");
        assertField(
                client.call("PUT", path, admin(), "{\"ratePerSecond\":1,\"burst\":1,\"dailyQuota\":-1}"),
                400,
                "dailyQuota");
        assertField(
                client.call("PUT", path, admin(), "{\"ratePerSecond\":1,\"burst\":1,\"monthlyQuota\":\"lots\"}"),
                400,
                "monthlyQuota");
        assertField(
                client.call("PUT", path, admin(), "{\"ratePerSecond\":1,\"burst\":1,\"sneaky\":true}"), 400, "sneaky");
        assertField(
                client.call(
                        "PUT", "/api/v1/rate-limits/tools/no-such-tool", admin(), "{\"ratePerSecond\":1,\"burst\":1}"),
                404,
                "tool");
        assertField(
                client.call(
                        "PUT",
                        "/api/v1/rate-limits/tools/" + TOOL + "/agents/not-a-uuid",
                        admin(),
                        "{\"ratePerSecond\":1,\"burst\":1}"),
                404,
                "agentId");
        assertField(client.get("/api/v1/rate-limits/tools/" + "x".repeat(5000), admin()), 404, "tool");
        assertThat(client.get("/api/v1/agents/" + agentId + "/quota", admin())
                        .json()
                        .get("tools")
                        .toString())
                .as("nothing half-written")
                .doesNotContain("\"source\":\"AGENT\"");
    }

    static void assertField(WardenClient.Response response, int status, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("field").asString()).isEqualTo(field);
    }

    /** The agent's quota entry for the tool, as the given person reads it. */
    static JsonNode quotaOf(String agentId, String token) {
        var response = client.get("/api/v1/agents/" + agentId + "/quota", token);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        for (JsonNode tool : response.json().get("tools")) {
            if (tool.get("tool").asString().equals(TOOL)) {
                return tool;
            }
        }
        throw new AssertionError("no " + TOOL + " in " + response.body());
    }

    /** The orchestrator specialist's owner. */
    static String owner(String clientId) {
        return client.personToken("olivia.owner");
    }
}
