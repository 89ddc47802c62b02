package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.policy.internal.DecisionJson;
import io.warden.policy.internal.EmbeddedPolicyDecisionPoint;
import io.warden.policy.internal.PolicyChanges;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Policy versions end to end: every decision names the policy data version and carries an input that is decided
 * alike when read back; a change to a data scope's rules is a new version, one per transaction, that the API shows
 * and the database keeps unchanged.
 */
class PolicyVersionTests extends IntegrationTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    PolicyChanges policyChanges;

    @BeforeEach
    void collection() {
        collections.replace(
                "versions-notes",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(
                        embedder, List.of(new TextItem("v1", "CT chest axial", Map.of("dataset", "imaging-ct-deid")))));
        governedCollection("versions-notes", "imaging-ct-deid");
    }

    static String gatewayCall(String dataset) {
        return """
                {"collection":"versions-notes","dataset":"%s","purposeOfUse":"TREAT","text":"CT chest","k":3}""".formatted(dataset);
    }

    /** The newest decision record of the demo agent that matches. */
    static JsonNode decision(Predicate<JsonNode> matching) {
        List<JsonNode> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            found.clear();
            client.get("/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.decision&limit=50", compliance())
                    .json()
                    .get("items")
                    .forEach(record -> {
                        if (found.isEmpty() && matching.test(record)) {
                            found.add(record);
                        }
                    });
            assertThat(found).isNotEmpty();
        });
        return found.getFirst();
    }

    static long currentVersion() {
        var current = client.get("/api/v1/policy/versions/current", compliance());
        assertThat(current.status()).as(current.body()).isEqualTo(200);
        return current.json().get("version").asLong();
    }

    /** The recorded input, read back and decided again by the embedded decision point, gives the recorded decision. */
    static void replaysAsRecorded(JsonNode record) {
        JsonNode details = record.get("details");
        JsonNode input = JSON.readTree(details.get("input").asString());
        assertThat(input.has("time")).isFalse();
        DecisionInput parsed =
                DecisionJson.input(input, Instant.parse(record.get("time").asString()));
        Decision again = new EmbeddedPolicyDecisionPoint().decide(parsed);
        assertThat(again.allow() ? "PERMIT" : "DENY")
                .isEqualTo(record.get("decision").asString());
        List<String> reasons = new ArrayList<>();
        record.get("reasons").forEach(reason -> reasons.add(reason.asString()));
        assertThat(again.reasons()).isEqualTo(reasons);
    }

    @Test
    void aGatewayAndAnAuthZenDecisionCarryTheirPolicyVersionsAndAnInputThatReplaysAlike() {
        policyChanges.reconcileNow(); // a change another test made by SQL is announced asynchronously: apply it now
        long version = currentVersion();
        var served = client.call("POST", "/gateway/v1/text-search", agent(), gatewayCall("imaging-ct-deid"));
        assertThat(served.status()).as(served.body()).isEqualTo(200);
        JsonNode permit = decision(d -> d.get("decision").asString().equals("PERMIT")
                && "versions-notes".equals(d.get("details").path("collection").asString(null)));
        JsonNode details = permit.get("details");
        assertThat(details.get("policyEngine").asString()).isEqualTo("embedded");
        assertThat(details.get("policyRules").asString()).isEqualTo(String.valueOf(DecisionJson.POLICY_VERSION));
        assertThat(details.get("policyData").asString()).isEqualTo(String.valueOf(version));
        assertThat(details.has("policyRevision"))
                .as("the embedded decision point has no bundle")
                .isFalse();
        assertThat(details.get("input").asString()).doesNotContain("CT chest").contains("imaging-ct-deid");
        replaysAsRecorded(permit);

        var refused = client.call("POST", "/gateway/v1/text-search", agent(), gatewayCall("dermatology-phi"));
        assertThat(refused.status()).isEqualTo(403);
        JsonNode deny = decision(d -> d.get("reasons").toString().contains("SCOPE_NOT_GRANTED")
                && "dermatology-phi".equals(d.path("dataset").asString(null)));
        assertThat(deny.get("details").get("policyData").asString()).isEqualTo(String.valueOf(version));
        replaysAsRecorded(deny);

        AuthZenTests.Pep pep = AuthZenTests.pep();
        var evaluated = client.call(
                "POST",
                "/access/v1/evaluation",
                pep.token(),
                AuthZenTests.evaluation(
                        "demo-retrieval-agent", "text-search", "data_scope", "imaging-ct-deid", "TREAT"));
        assertThat(evaluated.json().get("decision").asBoolean())
                .as(evaluated.body())
                .isTrue();
        JsonNode asked = decision(d -> d.toString().contains(pep.clientId()));
        assertThat(asked.get("details").get("policyEngine").asString()).isEqualTo("embedded");
        assertThat(asked.get("details").get("policyRules").asString()).isEqualTo("3");
        assertThat(asked.get("details").get("policyData").asString()).isEqualTo(String.valueOf(version));
        replaysAsRecorded(asked);
    }

    /** A refusal before the decision point (here an unknown purpose) is not replayable and carries no input. */
    @Test
    void aRefusalBeforeTheDecisionPointCarriesNoInput() {
        var refused = client.call(
                "POST",
                "/gateway/v1/text-search",
                agent(),
                gatewayCall("imaging-ct-deid").replace("\"TREAT\"", "\"NOT-A-PURPOSE\""));
        assertThat(refused.status()).isEqualTo(400);
        JsonNode record = decision(d -> d.get("reasons").toString().contains("INVALID_REQUEST"));
        assertThat(record.get("details").has("input")).isFalse();
        assertThat(record.get("details").has("policyEngine")).isFalse();
    }

    @Test
    void editingAScopesPurposesIsANewVersionTheNextDecisionNamesAndTheApiShows() {
        String key = "versions-" + UUID.randomUUID().toString().substring(0, 8);
        var created = client.call("POST", "/api/v1/data-scopes", admin(), """
                {"key":"%s","displayName":"Versions test","sensitivity":"INTERNAL","phi":false,"deidentified":true,
                 "allowedPurposes":["TREAT"]}""".formatted(key));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long before = currentVersion();
        assertThat(client.get("/api/v1/policy/versions/" + before, admin())
                        .json()
                        .get("dataScopes")
                        .get(key)
                        .get("allowedPurposes")
                        .toString())
                .isEqualTo("[\"TREAT\"]");

        var updated = client.call("PUT", "/api/v1/data-scopes/" + key, admin(), """
                {"displayName":"Versions test","sensitivity":"INTERNAL","phi":false,"deidentified":true,
                 "allowedPurposes":["TREAT","HRESCH"],"version":%d}""".formatted(
                        created.json().get("version").asLong()));
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        long after = currentVersion();
        assertThat(after).isGreaterThan(before);

        var old = client.get("/api/v1/policy/versions/" + before, compliance());
        var now = client.get("/api/v1/policy/versions/" + after, compliance());
        assertThat(old.json().get("dataScopes").get(key).get("allowedPurposes").toString())
                .isEqualTo("[\"TREAT\"]");
        assertThat(now.json().get("dataScopes").get(key).get("allowedPurposes"))
                .extracting(JsonNode::asString)
                .containsExactlyInAnyOrder("TREAT", "HRESCH");

        var page = client.get("/api/v1/policy/versions?limit=1", admin());
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        JsonNode newest = page.json().get("items").get(0);
        assertThat(newest.get("version").asLong()).isEqualTo(after);
        assertThat(newest.get("sha256").asString()).matches("[0-9a-f]{64}");
        assertThat(newest.get("changes").get("scopesChanged").toString()).isEqualTo("[\"" + key + "\"]");
        assertThat(page.json().get("nextBefore").asLong()).isEqualTo(after);

        var served = client.call("POST", "/gateway/v1/text-search", agent(), gatewayCall("imaging-ct-deid"));
        assertThat(served.status()).as(served.body()).isEqualTo(200);
        JsonNode next = decision(d -> d.get("decision").asString().equals("PERMIT")
                && "versions-notes".equals(d.get("details").path("collection").asString(null)));
        assertThat(next.get("details").get("policyData").asString()).isEqualTo(String.valueOf(after));
    }

    @Test
    void aTransactionChangingTwoScopesIsOneVersion() throws Exception {
        String a = "versions-a-" + UUID.randomUUID().toString().substring(0, 8);
        String b = "versions-b-" + UUID.randomUUID().toString().substring(0, 8);
        for (String key : List.of(a, b)) {
            assertThat(client.call("POST", "/api/v1/data-scopes", admin(), """
                                    {"key":"%s","displayName":"Two","sensitivity":"INTERNAL","phi":false,
                                     "deidentified":true,"allowedPurposes":["TREAT"]}""".formatted(key))
                            .status())
                    .isEqualTo(201);
        }
        long before = currentVersion();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            for (String key : List.of(a, b)) {
                try (var statement = connection.prepareStatement(
                        "update data_scope set allowed_purposes = '{TREAT,HQUALIMP}' where key = ?")) {
                    statement.setString(1, key);
                    assertThat(statement.executeUpdate()).isEqualTo(1);
                }
            }
            connection.commit();
        } // the pool's connection goes back with autocommit restored by the pool
        policyChanges.reconcileNow(); // announced asynchronously (no request of this instance made the change)
        long after = currentVersion();
        JsonNode items =
                client.get("/api/v1/policy/versions?limit=10", admin()).json().get("items");
        List<Long> newer = new ArrayList<>();
        items.forEach(item -> {
            if (item.get("version").asLong() > before) {
                newer.add(item.get("version").asLong());
            }
        });
        assertThat(newer).containsExactly(after);
        assertThat(items.get(0).get("changes").get("scopesChanged"))
                .extracting(JsonNode::asString)
                .containsExactlyInAnyOrder(a, b);
    }

    @Test
    void theApplicationRoleCannotRewriteOrForgeAVersion() {
        long version = currentVersion();
        assertThatThrownBy(() -> jdbc.sql("update policy_data_version set sha256 = repeat('0', 64) where version = ?")
                        .param(version)
                        .update())
                .isInstanceOf(DataAccessException.class);
        assertThatThrownBy(() -> jdbc.sql("delete from policy_data_version where version = ?")
                        .param(version)
                        .update())
                .isInstanceOf(DataAccessException.class);
        assertThatThrownBy(() -> jdbc.sql("insert into policy_data_version (version, data, sha256, recorded_at)"
                                + " values (?, '{}'::jsonb, repeat('0', 64), now())")
                        .param(Long.MAX_VALUE)
                        .update())
                .isInstanceOf(DataAccessException.class);
        assertThat(currentVersion()).isEqualTo(version);
    }

    @Test
    void badNumbersAreProblemsNamingTheField() {
        var unknown = client.get("/api/v1/policy/versions/999999999", admin());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.json().get("code").asString()).isEqualTo("policy-version-not-found");
        for (String[] bad : List.of(
                new String[] {"/api/v1/policy/versions/abc", "version"},
                new String[] {"/api/v1/policy/versions/-1", "version"},
                new String[] {"/api/v1/policy/versions?limit=0", "limit"},
                new String[] {"/api/v1/policy/versions?limit=101", "limit"},
                new String[] {"/api/v1/policy/versions?before=x", "before"})) {
            var response = client.get(bad[0], admin());
            assertThat(response.status()).as(bad[0] + ": " + response.body()).isEqualTo(400);
            assertThat(response.json().get("field").asString()).as(bad[0]).isEqualTo(bad[1]);
        }
    }
}
