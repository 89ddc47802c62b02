package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What-if replay through the API: decision records written as the gateway writes them (with their input), a
 * candidate that removes a purpose flips exactly the allowed decisions that used it, one identical to the current
 * rules flips nothing, the role rule, bad input, and the audit record of each simulation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicySimulationTests extends IntegrationTest {

    static final String WOUND = "wound-images-deid";
    static final String CT = "imaging-ct-deid";
    static final String TOOL = "image-search";
    static final String AGENT = "demo-retrieval-agent";

    @Autowired
    AuditLog audit;

    @Autowired
    Clock clock;

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    Instant from;
    Instant to;
    final List<Long> flipping = new ArrayList<>();

    @BeforeAll
    void recordDecisions() throws InterruptedException {
        from = clock.instant().minusMillis(1);
        // allowed with the purpose the candidate removes: 2 single records and one standing for 4 repeats
        flipping.add(record(WOUND, "HQUALIMP", false, true, 1));
        flipping.add(record(WOUND, "HQUALIMP", false, true, 4));
        flipping.add(record(WOUND, "HQUALIMP", false, true, 1));
        // allowed with other purposes, or the same purpose on another scope
        record(WOUND, "TREAT", false, true, 1);
        record(WOUND, "TREAT", false, true, 1);
        record(CT, "HRESCH", false, true, 1);
        record(CT, "HRESCH", false, true, 1);
        // denied with that purpose (the agent's kill switch): stays denied
        record(WOUND, "HQUALIMP", true, false, 1);
        // refused before the decision point: no input, not replayable
        audit.append(
                AuditEvent.builder("gateway.decision", AuditActor.agent(AGENT, null), new AuditTarget("tool", TOOL))
                        .agent(AGENT)
                        .tool(TOOL)
                        .decision("DENY")
                        .requestDigest(HexFormat.of().formatHex(new byte[32]).replace('0', 'b'))
                        .reason("RATE_LIMITED")
                        .build());
        Thread.sleep(5);
        to = clock.instant().plusMillis(1);
    }

    /** A decision record as the gateway writes it, its input built on the registry's current rules. */
    long record(String scope, String purpose, boolean agentSwitch, boolean permit, long count) {
        JsonNode dataset = client.get("/api/v1/data-scopes/" + scope, admin()).json();
        JsonNode tool = client.get("/api/v1/tools/" + TOOL, admin()).json();
        JsonNode wound = client.get("/api/v1/data-scopes/" + WOUND, admin()).json();
        JsonNode ct = client.get("/api/v1/data-scopes/" + CT, admin()).json();
        String clearance = higher(
                wound.get("sensitivity").asString(), ct.get("sensitivity").asString());
        ObjectNode input = WardenClient.JSON.createObjectNode();
        ObjectNode agent = input.putObject("agent");
        agent.put("id", AGENT).put("status", "ACTIVE").put("ownerActive", true);
        agent.putArray("scopes").add(CT).add(WOUND);
        agent.putArray("tools").add(TOOL);
        agent.putArray("purposes").add("HQUALIMP").add("HRESCH").add("TREAT");
        agent.put("clearance", clearance).put("phiApproved", false);
        ObjectNode toolNode = input.putObject("tool");
        toolNode.put("key", TOOL).put("maxK", tool.get("maxK").asInt());
        toolNode.set("requiredScopes", sorted(tool.get("requiredScopes")));
        toolNode.put("sensitivity", tool.get("sensitivity").asString())
                .put("approvalRequired", tool.path("approvalRequired").asBoolean(false));
        ObjectNode datasetNode = input.putObject("dataset");
        datasetNode
                .put("key", scope)
                .put("sensitivity", dataset.get("sensitivity").asString())
                .put("phi", dataset.get("phi").asBoolean())
                .put("deidentified", dataset.get("deidentified").asBoolean());
        datasetNode.set("allowedPurposes", sorted(dataset.get("allowedPurposes")));
        datasetNode.set("deidentifyFor", sorted(dataset.get("deidentifyFor")));
        datasetNode.put("approvalRequired", dataset.path("approvalRequired").asBoolean(false));
        input.put("purposeOfUse", purpose);
        input.putObject("request").put("k", 5).putNull("justification").put("approved", false);
        input.putNull("person");
        input.putObject("killSwitches")
                .put("global", false)
                .put("agent", agentSwitch)
                .put("tool", false)
                .put("dataset", false);
        var event = AuditEvent.builder("gateway.decision", AuditActor.agent(AGENT, null), new AuditTarget("tool", TOOL))
                .agent(AGENT)
                .tool(TOOL)
                .dataset(scope)
                .purposeOfUse(purpose)
                .decision(permit ? "PERMIT" : "DENY")
                // as the gateway's records: the digest of the call's arguments (other tests read every record)
                .requestDigest(HexFormat.of().formatHex(new byte[32]).replace('0', 'a'))
                .detail("policyEngine", "embedded")
                .detail("policyRules", "3")
                .detail("policyData", "0")
                .detail("input", input.toString());
        if (!permit) {
            event.reason("KILL_SWITCH");
        }
        if (count != 1) {
            event.detail("count", count);
        }
        return audit.append(event.build()).sequence();
    }

    static ArrayNode sorted(JsonNode array) {
        var values = new TreeSet<String>();
        array.forEach(value -> values.add(value.asString()));
        ArrayNode sorted = WardenClient.JSON.createArrayNode();
        values.forEach(sorted::add);
        return sorted;
    }

    static String higher(String a, String b) {
        List<String> order = List.of("PUBLIC", "INTERNAL", "CONFIDENTIAL", "HIGHLY_CONFIDENTIAL");
        return order.indexOf(a) >= order.indexOf(b) ? a : b;
    }

    String body(Instant from, Instant to, String candidate, @Nullable String extra) {
        return "{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"candidate\":" + candidate
                + (extra == null ? "" : "," + extra) + "}";
    }

    String withoutQualityImprovement() {
        var purposes = new ArrayList<String>();
        client.get("/api/v1/data-scopes/" + WOUND, admin())
                .json()
                .get("allowedPurposes")
                .forEach(p -> purposes.add("\"" + p.asString() + "\""));
        purposes.remove("\"HQUALIMP\"");
        return "{\"dataScopes\":{\"" + WOUND + "\":{\"allowedPurposes\":" + purposes + "}}}";
    }

    @Test
    void removingAPurposeFlipsExactlyTheAllowedDecisionsThatUsedIt() {
        var response = client.call(
                "POST",
                "/api/v1/policy/simulations",
                compliance(),
                body(from, to, withoutQualityImprovement(), "\"description\":\"quality improvement off wounds\""));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode report = response.json();
        assertThat(report.get("decisionsExamined").asLong()).isEqualTo(12);
        assertThat(report.get("notReplayable").asLong()).isEqualTo(1);
        assertThat(report.get("flips").get("total").asLong()).isEqualTo(6);
        assertThat(report.get("flips").get("allowToDeny").asLong()).isEqualTo(6);
        assertThat(report.get("flips").get("denyToAllow").asLong()).isZero();
        String agentName = agentByClientId(AGENT).get("name").asString();
        assertThat(report.get("byAgent")).hasSize(1);
        assertThat(report.get("byAgent").get(0).get("key").asString()).isEqualTo(AGENT);
        assertThat(report.get("byAgent").get(0).get("name").asString()).isEqualTo(agentName);
        assertThat(report.get("byAgent").get(0).get("allowToDeny").asLong()).isEqualTo(6);
        assertThat(report.get("byTool").get(0).get("key").asString()).isEqualTo(TOOL);
        assertThat(report.get("byTool").get(0).get("allowToDeny").asLong()).isEqualTo(6);
        assertThat(report.get("byDataScope")).hasSize(1);
        assertThat(report.get("byDataScope").get(0).get("key").asString()).isEqualTo(WOUND);
        assertThat(report.get("byReason")).isNotEmpty();
        assertThat(report.get("byReason").get(0).get("allowToDeny").asLong()).isEqualTo(6);
        JsonNode examples = report.get("examples");
        assertThat(examples).extracting(e -> e.get("sequence").asLong()).containsExactlyElementsOf(flipping);
        JsonNode first = examples.get(0);
        assertThat(first.get("agentName").asString()).isEqualTo(agentName);
        assertThat(first.get("tool").asString()).isEqualTo(TOOL);
        assertThat(first.get("dataScope").asString()).isEqualTo(WOUND);
        assertThat(first.get("purposeOfUse").asString()).isEqualTo("HQUALIMP");
        assertThat(first.get("before").get("allow").asBoolean()).isTrue();
        assertThat(first.get("after").get("allow").asBoolean()).isFalse();
        assertThat(first.get("after").get("reasons").get(0).asString())
                .isEqualTo(report.get("byReason").get(0).get("key").asString());

        // the simulation is in the audit trail, with its person and candidate
        JsonNode record = client.get("/api/v1/audit/events?action=policy.simulated&limit=1", compliance())
                .json()
                .get("items")
                .get(0);
        assertThat(record.get("details").get("candidateSha256").asString())
                .isEqualTo(report.get("candidateSha256").asString())
                .matches("[0-9a-f]{64}");
        assertThat(record.get("details").get("flips").asString()).isEqualTo("6");
        assertThat(record.get("details").get("decisionsExamined").asString()).isEqualTo("12");
        assertThat(record.get("details").get("description").asString()).isEqualTo("quality improvement off wounds");
        assertThat(record.get("actor").get("type").asString()).isEqualTo("PERSON");
        assertThat(record.get("actor").get("id").asString()).isNotBlank();
    }

    @Test
    void aCandidateIdenticalToTheCurrentRulesFlipsNothing() {
        String same = "{\"dataScopes\":{\"" + WOUND + "\":{}},\"tools\":{\"" + TOOL + "\":{\"maxK\":"
                + client.get("/api/v1/tools/" + TOOL, admin())
                        .json()
                        .get("maxK")
                        .asInt() + "}}}";
        JsonNode report = client.call("POST", "/api/v1/policy/simulations", admin(), body(from, to, same, null))
                .json();
        assertThat(report.get("decisionsExamined").asLong()).isEqualTo(12);
        assertThat(report.get("flips").get("total").asLong()).isZero();
        assertThat(report.get("obligationChanges").get("total").asLong()).isZero();
        assertThat(report.get("examples")).isEmpty();
    }

    @Test
    void aLowerMaxKChangesTheObligationsOfTheAllowsThatStay() {
        String lower = "{\"tools\":{\"" + TOOL + "\":{\"maxK\":2}}}";
        JsonNode report = client.call("POST", "/api/v1/policy/simulations", admin(), body(from, to, lower, null))
                .json();
        // k is capped, not refused: the 10 allowed decisions stay allowed, each with a lower maxK
        assertThat(report.get("flips").get("total").asLong())
                .as(report.toString())
                .isZero();
        assertThat(report.get("obligationChanges").get("total").asLong()).isEqualTo(10);
        assertThat(report.get("obligationChanges").get("maxK").asLong()).isEqualTo(10);
        assertThat(report.get("obligationChanges").get("deidentification").asLong())
                .isZero();
    }

    @Test
    void aRangeOutsideTheRecordsExaminesNothing() {
        JsonNode report = client.call(
                        "POST",
                        "/api/v1/policy/simulations",
                        admin(),
                        body(from.minus(Duration.ofDays(2)), from.minus(Duration.ofDays(1)), "{}", null))
                .json();
        assertThat(report.get("decisionsExamined").asLong()).isZero();
        assertThat(report.get("flips").get("total").asLong()).isZero();
    }

    @Test
    void onlyAdminsAndComplianceMaySimulate() {
        String request = body(from, to, "{}", null);
        assertThat(client.call("POST", "/api/v1/policy/simulations", owner(), request)
                        .status())
                .isEqualTo(403);
        assertThat(client.call("POST", "/api/v1/policy/simulations", secops(), request)
                        .status())
                .isEqualTo(403);
        assertThat(client.call("POST", "/api/v1/policy/simulations", agent(), request)
                        .status())
                .isEqualTo(403);
        assertThat(client.call("POST", "/api/v1/policy/simulations", null, request)
                        .status())
                .isEqualTo(401);
        assertThat(client.call("POST", "/api/v1/policy/simulations", compliance(), request)
                        .status())
                .isEqualTo(200);
        assertThat(client.call("POST", "/api/v1/policy/simulations", admin(), request)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        String scope = "candidate.dataScopes." + WOUND;
        assertField("{\"to\":\"" + to + "\",\"candidate\":{}}", "from");
        assertField(body(to, from, "{}", null), "to");
        assertField(body(from.minus(Duration.ofDays(93)), from, "{}", null), "to");
        assertField(body(from, to, "{}", "\"examples\":21"), "examples");
        assertField(
                body(from, to, "{\"dataScopes\":{\"no-such-scope\":{\"phi\":true}}}", null),
                "candidate.dataScopes.no-such-scope");
        assertField(
                body(from, to, "{\"tools\":{\"no-such-tool\":{\"maxK\":3}}}", null), "candidate.tools.no-such-tool");
        assertField(
                body(
                        from,
                        to,
                        "{\"dataScopes\":{\"" + WOUND + "\":{\"allowedPurposes\":[\"TREAT\",\"GOSSIP\"]}}}",
                        null),
                scope + ".allowedPurposes[1]");
        assertField(
                body(from, to, "{\"dataScopes\":{\"" + WOUND + "\":{\"sensitivity\":\"SECRET\"}}}", null),
                scope + ".sensitivity");
        assertField(
                body(from, to, "{\"dataScopes\":{\"" + WOUND + "\":{\"colour\":\"red\"}}}", null), scope + ".colour");
        assertField(
                body(from, to, "{\"tools\":{\"" + TOOL + "\":{\"maxK\":0}}}", null),
                "candidate.tools." + TOOL + ".maxK");
        assertField(
                body(from, to, "{\"tools\":{\"" + TOOL + "\":{\"maxK\":10001}}}", null),
                "candidate.tools." + TOOL + ".maxK");
        assertField(
                body(
                        from,
                        to,
                        "{\"tools\":{\"" + TOOL + "\":{\"requiredScopes\":[\"" + WOUND + "\",\"nope\"]}}}",
                        null),
                "candidate.tools." + TOOL + ".requiredScopes[1]");
        assertField(body(from, to, "{}", "\"unexpected\":1"), "unexpected");
    }

    @Test
    void aDecisionMadeByTheGatewayIsReplayedAndFlipsWhenItsPurposeIsRemoved() {
        collections.replace(
                "simulation-ct",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(embedder, List.of(new TextItem("s1", "CT chest axial", Map.of("dataset", CT)))));
        governedCollection("simulation-ct", CT);
        Instant before = clock.instant().minusMillis(1);
        var call = client.call("POST", "/gateway/v1/text-search", agent(), """
                {"collection":"simulation-ct","dataset":"%s","purposeOfUse":"TREAT","text":"CT chest","k":3}""".formatted(CT));
        assertThat(call.status()).as(call.body()).isEqualTo(200);
        Instant after = clock.instant().plusMillis(1);
        JsonNode decision = client.get("/api/v1/audit/events?action=gateway.decision&limit=1", compliance())
                .json()
                .get("items")
                .get(0);
        assertThat(decision.get("decision").asString()).isEqualTo("PERMIT");
        var purposes = new ArrayList<String>();
        client.get("/api/v1/data-scopes/" + CT, admin())
                .json()
                .get("allowedPurposes")
                .forEach(p -> purposes.add("\"" + p.asString() + "\""));
        purposes.remove("\"TREAT\"");
        String candidate = "{\"dataScopes\":{\"" + CT + "\":{\"allowedPurposes\":" + purposes + "}}}";

        JsonNode report = client.call(
                        "POST", "/api/v1/policy/simulations", compliance(), body(before, after, candidate, null))
                .json();

        assertThat(report.get("notReplayable").asLong()).as(report.toString()).isZero();
        assertThat(report.get("flips").get("allowToDeny").asLong()).isEqualTo(1);
        assertThat(report.get("examples").get(0).get("sequence").asLong())
                .isEqualTo(decision.get("sequence").asLong());
    }

    void assertField(String request, String field) {
        var response = client.call("POST", "/api/v1/policy/simulations", admin(), request);
        assertThat(response.status()).as(request + " → " + response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("field").asString()).as(response.body()).isEqualTo(field);
    }
}
