package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.app.ImagingSpecialistTests.Run;
import io.warden.app.ImagingSpecialistTests.Specialist;
import io.warden.specialist.ImagingSpecialist;
import io.warden.specialist.Outcome;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The imaging specialist's RAG step end to end: an onboarded specialist granted text-search, classify, rag-classify
 * and a chat-model tool (an HTTP tool whose backend is a local stand-in for OpenAI's chat completions, which records
 * the prompt it receives) runs with {@code --rag-model}; its answer carries the model's label, the cases it cited and
 * its reason, and the audit trail holds rag-classify and the nested model call under the specialist's trace id. A kill
 * switch on the model tool and a malformed model answer end the question as a refusal with Warden's reason code and
 * no label; a RAG step asked for but not granted is refused before any call.
 */
class ImagingSpecialistRagTests extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final ChatCompletionsStandIn CHAT = new ChatCompletionsStandIn();
    private static final List<JsonNode> PROMPTS = CHAT.prompts;
    /** What the stand-in model answers, given the request it received: the chat completion's JSON. */
    private static final AtomicReference<Function<JsonNode, String>> ANSWER = CHAT.answer;

    @BeforeAll
    static void model() throws IOException {
        CHAT.start();
    }

    @AfterAll
    static void stop() {
        CHAT.stop();
    }

    /** The stand-in model registered as an HTTP tool on the specialist's data scope, its host on the allowlist. */
    private static String chatTool() {
        var allowed = client.call("POST", "/api/v1/egress-hosts", admin(), """
                {"host":"127.0.0.1","allowPrivate":true,"reason":"the test's chat model on this machine"}""");
        assertThat(allowed.status()).as(allowed.body()).isIn(201, 409);
        String key = "specialist-chat-" + UUID.randomUUID().toString().substring(0, 8);
        var saved = client.call(
                "POST", "/api/v1/tools", admin(), """
                {"key":"%s","displayName":"Report model","backend":{"kind":"HTTP","method":"POST",
                 "urlTemplate":"http://127.0.0.1:%d/v1/chat/completions","timeoutMs":5000,"maxResponseBytes":65536,
                 "phiApproved":false},"maxK":10,"sensitivity":"HIGHLY_CONFIDENTIAL",
                 "inputSchema":{"type":"object","properties":{"messages":{"type":"array"}}},
                 "dataScopes":["%s"]}""".formatted(key, CHAT.port(), ImagingSpecialistTests.DATASET));
        assertThat(saved.status()).as(saved.body()).isEqualTo(201);
        return key;
    }

    /** A specialist granted everything the RAG step needs, the model tool included. */
    private static Specialist ragSpecialist(String model) {
        return ImagingSpecialistTests.registered(List.of("text-search", "classify", "rag-classify", model));
    }

    /** A well-formed answer: the label of the first case listed, citing every listed case that carries it. */
    private static String citingTheFirstCasesLabel(JsonNode request) {
        Map<String, String> given = RagClassifyTests.cases(request);
        String label = given.values().iterator().next();
        List<String> cited = given.entrySet().stream()
                .filter(e -> e.getValue().equals(label))
                .map(Map.Entry::getKey)
                .toList();
        return RagClassifyTests.completion(JSON.writeValueAsString(
                Map.of("label", label, "cited", cited, "reason", "Fluid layering in the pleural space, as cited.")));
    }

    @Test
    void theSpecialistAnswersWithTheModelsLabelCitationsAndReasonAndTheModelCallIsAuditedUnderItsTraceId() {
        String model = chatTool();
        Specialist specialist = ragSpecialist(model);
        String traceId = "specialist-rag-" + UUID.randomUUID().toString().substring(0, 8);
        PROMPTS.clear();
        ANSWER.set(ImagingSpecialistRagTests::citingTheFirstCasesLabel);

        Run run = ImagingSpecialistTests.ask(specialist, traceId, ImagingSpecialist.StepListener.NONE, model);

        assertThat(run.outcome()).as(run.printed()).isInstanceOf(Outcome.Answered.class);
        Outcome.Answered answer = (Outcome.Answered) run.outcome();
        assertThat(answer.calls()).containsExactly("text-search", "classify", "rag-classify");
        Outcome.RagVerdict rag = answer.rag();
        assertThat(rag).as(run.printed()).isNotNull();
        assertThat(rag.model()).isEqualTo(model);
        assertThat(rag.label()).isEqualTo("pleural-effusion");
        assertThat(rag.reason()).isEqualTo("Fluid layering in the pleural space, as cited.");
        assertThat(rag.cited())
                .isNotEmpty()
                .allSatisfy(found -> assertThat(found.label()).isEqualTo("pleural-effusion"));

        // the prompt the model received: the question and exactly the cases the specialist's search found
        assertThat(PROMPTS).hasSize(1);
        JsonNode prompt = PROMPTS.getFirst();
        assertThat(prompt.get("messages").get(1).get("content").asString())
                .contains("Query: " + ImagingSpecialistTests.QUESTION);
        assertThat(RagClassifyTests.cases(prompt).keySet())
                .containsExactlyElementsOf(
                        answer.cases().stream().map(Outcome.Case::id).toList());
        List<String> cited = rag.cited().stream().map(Outcome.Case::id).toList();
        assertThat(RagClassifyTests.cases(prompt).keySet()).containsAll(cited);

        assertThat(run.printed())
                .contains("step rag-classify: pleural-effusion by " + model)
                .contains("Likely finding: pleural-effusion")
                .contains("RAG classification (rag-classify asking " + model
                        + "): pleural-effusion (agrees with the vote)")
                .contains("  cited: " + cited.getFirst() + " pleural-effusion")
                .contains("  reason: Fluid layering in the pleural space, as cited.")
                .contains("Trace id: " + traceId);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JsonNode> records = ImagingSpecialistTests.gatewayRecords(specialist.clientId(), traceId);
            for (String tool : List.of("text-search", "classify", "rag-classify", model)) {
                assertThat(records).as("the decision on " + tool).anySatisfy(record -> {
                    assertThat(record.get("action").asString()).isEqualTo("gateway.decision");
                    assertThat(record.get("tool").asString()).isEqualTo(tool);
                    assertThat(record.get("decision").asString()).isEqualTo("PERMIT");
                    assertThat(record.get("dataset").asString()).isEqualTo(ImagingSpecialistTests.DATASET);
                    assertThat(record.get("purposeOfUse").asString()).isEqualTo("TREAT");
                });
                assertThat(records).as("the outcome of " + tool).anySatisfy(record -> {
                    assertThat(record.get("action").asString()).isEqualTo("gateway.outcome");
                    assertThat(record.get("tool").asString()).isEqualTo(tool);
                    assertThat(record.get("outcome").asString()).isEqualTo("SUCCESS");
                });
            }
            assertThat(records)
                    .as("one decision and one outcome per call, the nested model call included, all over MCP")
                    .hasSize(8)
                    .allSatisfy(record -> assertThat(
                                    record.get("details").get("edge").asString())
                            .isEqualTo("MCP"));
        });
    }

    @Test
    void aKillSwitchOnTheModelToolEngagedMidQuestionRefusesTheRagStepWithItsReasonAndNoLabel() {
        String model = chatTool();
        Specialist specialist = ragSpecialist(model);
        String traceId = "specialist-rag-kill-" + UUID.randomUUID().toString().substring(0, 8);
        PROMPTS.clear();
        ANSWER.set(ImagingSpecialistRagTests::citingTheFirstCasesLabel);
        List<String> switches = new ArrayList<>();

        Run run;
        try {
            run = ImagingSpecialistTests.ask(
                    specialist,
                    traceId,
                    (step, summary) -> {
                        if (step.equals("classify")) {
                            var engaged = client.call("POST", "/api/v1/kill-switches", secops(), """
                                    {"scope":"TOOL","target":"%s","reason":"model misbehaving"}""".formatted(model));
                            assertThat(engaged.status()).as(engaged.body()).isIn(200, 201);
                            switches.add(engaged.json().get("id").asString());
                        }
                    },
                    model);
        } finally {
            switches.forEach(McpServerTests::release);
        }

        assertThat(switches).as("the switch was engaged after the vote").hasSize(1);
        assertThat(run.outcome()).as(run.printed()).isInstanceOf(Outcome.Refused.class);
        Outcome.Refused refused = (Outcome.Refused) run.outcome();
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.step()).isEqualTo("rag-classify");
        assertThat(refused.reasons()).containsExactly("KILL_SWITCH");
        assertThat(refused.calls()).containsExactly("text-search", "classify", "rag-classify");
        assertThat(PROMPTS).as("nothing reached the model").isEmpty();
        assertThat(run.printed())
                .contains("step classify: pleural-effusion")
                .contains("REFUSED at step rag-classify (tool rag-classify): KILL_SWITCH\n"
                        + "  Warden: Refused by Warden (KILL_SWITCH): A kill switch stops this call\n"
                        + "  The RAG step (rag-classify asking the model tool " + model + ") was refused; KILL_SWITCH:"
                        + " a kill switch covers rag-classify, the model tool it asks or the dataset."
                        + " No label is given without it.\n")
                .doesNotContain("Likely finding")
                .doesNotContain("RAG classification");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JsonNode> records = ImagingSpecialistTests.gatewayRecords(specialist.clientId(), traceId);
            assertThat(records).as("the retrieval was permitted").anySatisfy(record -> {
                assertThat(record.get("action").asString()).isEqualTo("gateway.decision");
                assertThat(record.get("tool").asString()).isEqualTo("rag-classify");
                assertThat(record.get("decision").asString()).isEqualTo("PERMIT");
            });
            assertThat(records)
                    .as("the nested model call was denied by the switch, under the question's trace id")
                    .anySatisfy(record -> {
                        assertThat(record.get("action").asString()).isEqualTo("gateway.decision");
                        assertThat(record.get("tool").asString()).isEqualTo(model);
                        assertThat(record.get("decision").asString()).isEqualTo("DENY");
                        assertThat(record.get("reasons").toString()).contains("KILL_SWITCH");
                    });
        });
    }

    @Test
    void aMalformedModelAnswerIsReportedAsModelAnswerInvalidAndNoLabelIsGiven() {
        String model = chatTool();
        Specialist specialist = ragSpecialist(model);
        String traceId = "specialist-rag-bad-" + UUID.randomUUID().toString().substring(0, 8);
        PROMPTS.clear();
        ANSWER.set(request -> RagClassifyTests.completion("It looks like a pleural effusion to me."));

        Run run = ImagingSpecialistTests.ask(specialist, traceId, ImagingSpecialist.StepListener.NONE, model);

        assertThat(run.outcome()).as(run.printed()).isInstanceOf(Outcome.Refused.class);
        Outcome.Refused refused = (Outcome.Refused) run.outcome();
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.step()).isEqualTo("rag-classify");
        assertThat(refused.reasons()).containsExactly("MODEL_ANSWER_INVALID");
        assertThat(PROMPTS).as("the model was asked once").hasSize(1);
        assertThat(run.printed())
                .contains("REFUSED at step rag-classify (tool rag-classify): MODEL_ANSWER_INVALID")
                .contains("It looks like a pleural effusion to me.")
                .contains("MODEL_ANSWER_INVALID: the model answered out of shape")
                .doesNotContain("Likely finding")
                .doesNotContain("RAG classification");
    }

    @Test
    void aRagStepAskedForButNotGrantedIsRefusedBeforeAnyCall() {
        Specialist specialist = ImagingSpecialistTests.registered();
        String traceId =
                "specialist-rag-unlisted-" + UUID.randomUUID().toString().substring(0, 8);

        Run run = ImagingSpecialistTests.ask(
                specialist, traceId, ImagingSpecialist.StepListener.NONE, "specialist-chat-absent");

        assertThat(run.outcome()).as(run.printed()).isInstanceOf(Outcome.Refused.class);
        Outcome.Refused refused = (Outcome.Refused) run.outcome();
        assertThat(refused.step()).isEqualTo("rag-classify");
        assertThat(refused.reasons()).containsExactly(ImagingSpecialist.NOT_LISTED);
        assertThat(refused.calls())
                .as("nothing is called for a question it cannot finish")
                .isEmpty();
        assertThat(run.printed()).contains("Warden does not list rag-classify").doesNotContain("Likely finding");
    }
}
