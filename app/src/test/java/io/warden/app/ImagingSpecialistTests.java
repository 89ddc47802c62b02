package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.specialist.ImagingSpecialist;
import io.warden.specialist.Outcome;
import io.warden.specialist.SpecialistCommand;
import io.warden.specialist.SpecialistSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The reference imaging specialist ({@code clinical-agents/imaging-specialist}) against the running Warden, as an
 * agent registered by its owner and approved by an admin, on the demo collection: it answers with the cases and the
 * vote, and every call it made is in the audit trail with its decision, its outcome, edge MCP and the question's
 * trace id; a tool revoked mid-question is refused at its next use and missing from the next list; an AGENT kill
 * switch engaged mid-question stops it with Warden's reason.
 */
class ImagingSpecialistTests extends IntegrationTest {

    static final String DATASET = "radiology-reports-deid";
    static final String QUESTION = "fluid in the pleural space on the left";

    record Specialist(String id, String clientId, String secret) {}

    /** Registered by its owner through onboarding, approved by an admin, active, its secret where Warden wrote it. */
    static Specialist registered() {
        return registered(List.of("text-search", "classify"));
    }

    /** As {@link #registered()}, granted {@code tools}. */
    static Specialist registered(List<String> tools) {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"Imaging specialist %s","kind":"ORCHESTRATOR_SPECIALIST",
                 "purpose":"Similar cases and the likely finding for a radiology report sentence",
                 "dataScopes":["%s"],"tools":%s,"purposesOfUse":["TREAT"]}""".formatted(
                        UUID.randomUUID(),
                        DATASET,
                        tools.stream().map(tool -> "\"" + tool + "\"").toList()));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        McpServerTests.approvePending(id);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "ACTIVE"
                        .equals(client.get("/api/v1/agents/" + id, admin())
                                .json()
                                .get("status")
                                .asString()));
        String clientId = client.get("/api/v1/agents/" + id, admin())
                .json()
                .get("clientId")
                .asString();
        try {
            return new Specialist(
                    id,
                    clientId,
                    Files.readString(DATA.resolve("secrets").resolve(clientId + ".secret"))
                            .strip());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    record Run(Outcome outcome, String printed) {}

    static Run ask(Specialist specialist, String traceId, ImagingSpecialist.StepListener listener) {
        return ask(specialist, traceId, listener, null);
    }

    /** As the specialist's command line runs it, with {@code --rag-model ragModel} where that is not null. */
    static Run ask(
            Specialist specialist, String traceId, ImagingSpecialist.StepListener listener, @Nullable String ragModel) {
        SpecialistSettings settings = new SpecialistSettings(
                URI.create("http://localhost:" + PORT),
                specialist.clientId(),
                specialist.secret(),
                DATASET,
                "TREAT",
                "demo-radiology-findings",
                5,
                QUESTION,
                null,
                Duration.ofSeconds(20),
                ragModel);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Outcome outcome;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            outcome = SpecialistCommand.run(settings, out, listener, Clock.systemUTC(), () -> traceId);
        }
        return new Run(outcome, printed.toString(StandardCharsets.UTF_8));
    }

    /** The gateway records of one question, by its trace id. */
    static List<JsonNode> gatewayRecords(String clientId, String traceId) {
        List<JsonNode> records = new ArrayList<>();
        client.get("/api/v1/audit/events?agent=" + clientId + "&limit=100", compliance())
                .json()
                .get("items")
                .forEach(item -> {
                    if (item.get("action").asString().startsWith("gateway.")
                            && traceId.equals(
                                    item.get("details").path("traceId").asString(""))) {
                        records.add(item);
                    }
                });
        return records;
    }

    @Test
    void theSpecialistAnswersWithCasesAndTheVoteAndEveryCallIsAuditedWithItsTraceId() {
        Specialist specialist = registered();
        String traceId = "specialist-e2e-" + UUID.randomUUID().toString().substring(0, 8);

        Run run = ask(specialist, traceId, ImagingSpecialist.StepListener.NONE);

        assertThat(run.outcome()).as(run.printed()).isInstanceOf(Outcome.Answered.class);
        Outcome.Answered answer = (Outcome.Answered) run.outcome();
        assertThat(answer.exitCode()).isZero();
        assertThat(answer.label()).isEqualTo("pleural-effusion");
        assertThat(answer.calls()).containsExactly("text-search", "classify");
        assertThat(answer.cases())
                .hasSize(5)
                .allSatisfy(found -> assertThat(found.id()).startsWith("rf-"));
        assertThat(answer.votes()).anySatisfy(vote -> assertThat(vote.label()).isEqualTo("pleural-effusion"));
        assertThat(run.printed())
                .contains("Likely finding: pleural-effusion")
                .contains(answer.cases().getFirst().id())
                .contains("Trace id: " + traceId);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JsonNode> records = gatewayRecords(specialist.clientId(), traceId);
            for (String tool : answer.calls()) {
                assertThat(records).as("the decision on " + tool).anySatisfy(record -> {
                    assertThat(record.get("action").asString()).isEqualTo("gateway.decision");
                    assertThat(record.get("tool").asString()).isEqualTo(tool);
                    assertThat(record.get("decision").asString()).isEqualTo("PERMIT");
                    assertThat(record.get("dataset").asString()).isEqualTo(DATASET);
                    assertThat(record.get("purposeOfUse").asString()).isEqualTo("TREAT");
                });
                assertThat(records).as("the outcome of " + tool).anySatisfy(record -> {
                    assertThat(record.get("action").asString()).isEqualTo("gateway.outcome");
                    assertThat(record.get("tool").asString()).isEqualTo(tool);
                    assertThat(record.get("outcome").asString()).isEqualTo("SUCCESS");
                });
            }
            assertThat(records)
                    .as("one decision and one outcome per call, all over MCP")
                    .hasSize(2 * answer.calls().size())
                    .allSatisfy(record -> assertThat(
                                    record.get("details").get("edge").asString())
                            .isEqualTo("MCP"));
        });
    }

    @Test
    void aToolRevokedMidQuestionIsRefusedAtItsNextUseAndGoneFromTheNextList() {
        Specialist specialist = registered();
        String token = client.agentToken(specialist.clientId(), specialist.secret());
        String traceId = "specialist-revoke-" + UUID.randomUUID().toString().substring(0, 8);

        Run run = ask(specialist, traceId, (step, summary) -> {
            if (step.equals("text-search")) {
                var request = client.call(
                        "POST",
                        "/api/v1/agents/" + specialist.id() + "/change-requests",
                        owner(),
                        "{\"removeTools\":[\"classify\"],\"justification\":\"classification moves to another agent\"}");
                assertThat(request.status()).as(request.body()).isEqualTo(201);
                var decided = client.call(
                        "POST",
                        "/api/v1/approvals/" + request.json().get("id").asString() + "/approve",
                        admin(),
                        "{\"reason\":\"fine\"}");
                assertThat(decided.status()).as(decided.body()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(GatewayToolsTests.keys(
                                        client.get("/gateway/v1/tools", token).json()))
                                .doesNotContain("classify"));
            }
        });

        assertThat(run.outcome()).as(run.printed()).isInstanceOf(Outcome.Refused.class);
        Outcome.Refused refused = (Outcome.Refused) run.outcome();
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.step()).isEqualTo("classify");
        assertThat(refused.reasons()).containsExactly(ImagingSpecialist.NOT_LISTED);
        assertThat(refused.calls())
                .as("it called classify, and Warden refused it")
                .containsExactly("text-search", "classify");
        assertThat(run.printed()).contains("REFUSED at step classify").doesNotContain("Likely finding");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(gatewayRecords(specialist.clientId(), traceId))
                        .anySatisfy(record -> {
                            assertThat(record.get("action").asString()).isEqualTo("gateway.decision");
                            assertThat(record.get("tool").asString()).isEqualTo("classify");
                            assertThat(record.get("decision").asString()).isEqualTo("DENY");
                        }));

        Run next = ask(specialist, traceId + "-next", ImagingSpecialist.StepListener.NONE);
        assertThat(next.outcome()).as(next.printed()).isInstanceOf(Outcome.Refused.class);
        Outcome.Refused unlisted = (Outcome.Refused) next.outcome();
        assertThat(unlisted.step()).isEqualTo("classify");
        assertThat(unlisted.reasons()).containsExactly(ImagingSpecialist.NOT_LISTED);
        assertThat(unlisted.calls())
                .as("nothing is called for a question it cannot finish")
                .isEmpty();
        assertThat(next.printed()).contains("step tools/list: text-search\n");
    }

    @Test
    void anAgentKillSwitchEngagedMidQuestionStopsItWithWardensReason() {
        Specialist specialist = registered();
        String traceId = "specialist-kill-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> switches = new ArrayList<>();

        Run run;
        try {
            run = ask(specialist, traceId, (step, summary) -> {
                if (step.equals("text-search")) {
                    var engaged = client.call(
                            "POST",
                            "/api/v1/kill-switches",
                            secops(),
                            "{\"scope\":\"AGENT\",\"target\":\"" + specialist.clientId()
                                    + "\",\"reason\":\"specialist misbehaving\"}");
                    assertThat(engaged.status()).as(engaged.body()).isIn(200, 201);
                    switches.add(engaged.json().get("id").asString());
                }
            });
        } finally {
            switches.forEach(McpServerTests::release);
        }

        assertThat(switches).as("the switch was engaged after the search").hasSize(1);
        assertThat(run.outcome()).as(run.printed()).isInstanceOf(Outcome.Refused.class);
        Outcome.Refused refused = (Outcome.Refused) run.outcome();
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.step()).isEqualTo("classify");
        // /mcp refuses a switched-off agent before any MCP handling, with its problem code (KillSwitchedAgents)
        assertThat(refused.reasons()).containsExactly("HTTP_403", "kill-switch-engaged");
        assertThat(run.printed())
                .contains("step text-search: 5 similar cases")
                .contains("REFUSED at step classify (tool classify): HTTP_403, kill-switch-engaged")
                .contains("A kill switch covers this agent")
                .doesNotContain("Likely finding");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(gatewayRecords(specialist.clientId(), traceId))
                    .as("the search before the switch was permitted and answered")
                    .extracting(record -> record.get("action").asString() + " "
                            + record.get("tool").asString())
                    .containsExactlyInAnyOrder("gateway.decision text-search", "gateway.outcome text-search");
            assertThat(client.get("/api/v1/audit/events?action=api.refused&limit=100", compliance())
                            .json()
                            .get("items"))
                    .as("the refused request is audited, naming the agent and the switch")
                    .anySatisfy(record -> {
                        assertThat(record.get("actor").get("id").asString()).isEqualTo(specialist.clientId());
                        assertThat(record.get("reasons").toString()).contains("kill-switch-agent");
                    });
        });
    }
}
