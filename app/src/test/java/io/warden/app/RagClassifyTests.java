package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.clinical.Embedder;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.Retrieval;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.VectorRecord;
import java.awt.Color;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * rag-classify end to end: the nearest labelled cases of the demo collection, retrieved through the governed pipeline,
 * are put before a chat-completions model registered as an HTTP tool (a local stand-in speaking OpenAI's wire format,
 * which checks the prompt it receives); both calls are decided and audited, the answer is parsed into a label with the
 * cases cited and the model's reason, and a refusal, a malformed answer or a label no case carries is an error.
 */
class RagClassifyTests extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SCOPE = "radiology-reports-deid";
    private static final String COLLECTION = "demo-radiology-findings";
    private static final Pattern CASE = Pattern.compile("\\d+\\. id=(\\S+) label=(\\S+) similarity=");

    private static final ChatCompletionsStandIn CHAT = new ChatCompletionsStandIn();
    private static final List<JsonNode> PROMPTS = CHAT.prompts;
    /** What the stand-in model answers, given the request it received: the chat completion's JSON. */
    private static final AtomicReference<Function<JsonNode, String>> ANSWER = CHAT.answer;

    @Autowired
    VectorCollections collections;

    @Autowired
    Embedder embedder;

    @Autowired
    Retrieval retrieval;

    @BeforeAll
    static void model() throws IOException {
        CHAT.start();
    }

    @AfterAll
    static void stop() {
        CHAT.stop();
    }

    /** A chat completion whose message content is {@code content} (a JSON string value). */
    static String completion(String content) {
        return JSON.writeValueAsString(Map.of(
                "id",
                "chatcmpl-1",
                "object",
                "chat.completion",
                "choices",
                List.of(Map.of(
                        "index",
                        0,
                        "finish_reason",
                        "stop",
                        "message",
                        Map.of("role", "assistant", "content", content)))));
    }

    /** The cases the prompt listed: id → label. */
    static Map<String, String> cases(JsonNode request) {
        String user = request.get("messages").get(1).get("content").asString();
        Map<String, String> cases = new LinkedHashMap<>();
        Matcher m = CASE.matcher(user);
        while (m.find()) {
            cases.put(m.group(1), m.group(2));
        }
        return cases;
    }

    private static String chatTool() {
        String key = "chat-" + UUID.randomUUID().toString().substring(0, 8);
        allowLoopback();
        var saved = client.call("POST", "/api/v1/tools", admin(), """
                {"key":"%s","displayName":"Report model","backend":{"kind":"HTTP","method":"POST",
                 "urlTemplate":"http://127.0.0.1:%d/v1/chat/completions","timeoutMs":5000,"maxResponseBytes":65536,
                 "phiApproved":false},"maxK":10,"sensitivity":"HIGHLY_CONFIDENTIAL",
                 "inputSchema":{"type":"object","properties":{"messages":{"type":"array"}}},
                 "dataScopes":["%s","dermatology-phi","wound-images-deid"]}""".formatted(key, CHAT.port(), SCOPE));
        assertThat(saved.status()).as(saved.body()).isEqualTo(201);
        return key;
    }

    private static void allowLoopback() {
        var added = client.call("POST", "/api/v1/egress-hosts", admin(), """
                {"host":"127.0.0.1","allowPrivate":true,"reason":"the test's chat model on this machine"}""");
        assertThat(added.status()).as(added.body()).isIn(201, 409);
    }

    @Test
    void theModelClassifiesFromTheCasesItIsGivenAndBothCallsAreDecidedAndAudited() {
        String model = chatTool();
        var agent = ToolBackendsEndToEndTests.agentGranted(List.of("rag-classify", model), SCOPE);
        PROMPTS.clear();
        ANSWER.set(request -> {
            Map<String, String> given = cases(request);
            List<String> cited = given.entrySet().stream()
                    .filter(e -> e.getValue().equals("pneumothorax"))
                    .map(Map.Entry::getKey)
                    .limit(2)
                    .toList();
            return completion(JSON.writeValueAsString(Map.of(
                    "label",
                    "pneumothorax",
                    "cited",
                    cited,
                    "reason",
                    "Air in the pleural space, as in the cited cases.")));
        });

        var answer = client.call(
                "POST",
                "/gateway/v1/tools/rag-classify",
                agent.token(),
                """
                {"arguments":{"collection":"%s","model":"%s","modelName":"report-vlm",
                 "text":"the left lung has collapsed with a rim of air around it","k":5},
                 "dataset":"%s","purposeOfUse":"TREAT"}""".formatted(COLLECTION, model, SCOPE),
                Map.of("X-Request-Id", "rag-1"));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode structured = answer.json().get("structured");
        assertThat(structured.get("label").asString()).isEqualTo("pneumothorax");
        assertThat(structured.get("reason").asString()).contains("pleural space");
        assertThat(structured.get("model").asString()).isEqualTo(model);
        assertThat(structured.get("collectionVersion").asLong()).isPositive();
        List<String> hitIds = new ArrayList<>();
        structured.get("hits").forEach(hit -> hitIds.add(hit.get("id").asString()));
        assertThat(structured.get("cited")).isNotEmpty().allSatisfy(c -> {
            assertThat(hitIds).contains(c.get("id").asString());
            assertThat(c.get("label").asString()).isEqualTo("pneumothorax");
        });

        // the prompt the model received: the instructions, the query, and exactly the cases the agent may read
        assertThat(PROMPTS).hasSize(1);
        JsonNode prompt = PROMPTS.getFirst();
        assertThat(prompt.get("model").asString()).isEqualTo("report-vlm");
        assertThat(prompt.get("temperature").asInt()).isZero();
        assertThat(prompt.get("messages").get(0).get("role").asString()).isEqualTo("system");
        assertThat(prompt.get("messages").get(0).get("content").asString()).contains("\"cited\"", "only the labelled");
        assertThat(prompt.get("messages").get(1).get("content").asString())
                .contains("Query: the left lung has collapsed with a rim of air around it");
        assertThat(cases(prompt).keySet()).containsExactlyElementsOf(hitIds);
        assertThat(prompt.toString()).as("no record of another dataset is sent").doesNotContain("\"dataset\"");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode items = client.get("/api/v1/audit/events?agent=" + agent.clientId() + "&limit=50", compliance())
                    .json()
                    .get("items");
            List<String> seen = new ArrayList<>();
            items.forEach(item -> seen.add(item.get("action").asString() + ":"
                    + item.get("target").path("id").asString()
                    + item.get("details").path("tool").asString("")));
            assertThat(items)
                    .filteredOn(item -> item.get("action").asString().equals("gateway.decision"))
                    .as(seen.toString())
                    .hasSize(2)
                    .allSatisfy(item -> assertThat(
                                    item.get("details").get("traceId").asString())
                            .isEqualTo("rag-1"));
            assertThat(items)
                    .filteredOn(item -> item.get("action").asString().equals("gateway.outcome"))
                    .as(seen.toString())
                    .hasSize(2);
        });
    }

    @Test
    void aMalformedRefusedOrUnfoundedAnswerIsAnErrorNeverAGuessedLabel() {
        String model = chatTool();
        var agent = ToolBackendsEndToEndTests.agentGranted(List.of("rag-classify", model), SCOPE);
        String call = """
                {"arguments":{"collection":"%s","model":"%s","text":"fluid layering in the right pleural space","k":5},
                 "dataset":"%s","purposeOfUse":"TREAT"}""".formatted(COLLECTION, model, SCOPE);

        ANSWER.set(request -> completion("It looks like a pleural effusion to me."));
        var prose = client.call("POST", "/gateway/v1/tools/rag-classify", agent.token(), call);
        assertThat(prose.body()).as(prose.body()).contains("MODEL_ANSWER_INVALID");
        assertThat(prose.body()).doesNotContain("\"label\":\"pleural-effusion\"");

        ANSWER.set(request -> completion("{\"label\":\"fracture\",\"cited\":[\""
                + cases(request).keySet().iterator().next() + "\"],\"reason\":\"bones\"}"));
        var unfounded = client.call("POST", "/gateway/v1/tools/rag-classify", agent.token(), call);
        assertThat(unfounded.body()).as("a label none of the cases carries").contains("MODEL_ANSWER_INVALID");

        ANSWER.set(request -> completion("{\"label\":\"pleural-effusion\",\"cited\":[\"rf-999\"],\"reason\":\"x\"}"));
        var invented = client.call("POST", "/gateway/v1/tools/rag-classify", agent.token(), call);
        assertThat(invented.body()).as("a case it was not given").contains("MODEL_ANSWER_INVALID");

        ANSWER.set(request -> JSON.writeValueAsString(Map.of(
                "choices",
                List.of(Map.of(
                        "finish_reason",
                        "stop",
                        "message",
                        Map.of("role", "assistant", "refusal", "I cannot help with that.", "content", ""))))));
        var refused = client.call("POST", "/gateway/v1/tools/rag-classify", agent.token(), call);
        assertThat(refused.body()).as(refused.body()).contains("MODEL_REFUSED");

        ANSWER.set(request -> completion("{\"label\":null,\"cited\":[],\"reason\":\"the cases disagree\"}"));
        var declined = client.call("POST", "/gateway/v1/tools/rag-classify", agent.token(), call);
        assertThat(declined.body()).as(declined.body()).contains("MODEL_REFUSED");
    }

    /** An image query reaches a vision model as an OpenAI image part (a data URL), beside the cases found for it. */
    @Test
    void anImageQueryIsSentToTheModelAsAnImagePartWithItsCases() {
        ImageEmbedder images = retrieval.localImageEmbedder().orElseThrow();
        List<Color> colours = List.of(new Color(200, 30, 30), new Color(220, 40, 20), Color.BLUE, Color.CYAN);
        List<String> labels = List.of("infected", "infected", "clean", "clean");
        List<float[]> vectors = images.embedImages(
                colours.stream().map(c -> BuiltinToolsTests.solid(c, 16)).toList());
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < colours.size(); i++) {
            records.add(new VectorRecord(
                    "wound-" + i, vectors.get(i), Map.of("dataset", "wound-images-deid", "label", labels.get(i))));
        }
        governedCollection(
                "rag-wound-photos", "wound-images-deid", "IMAGE", TestImageModel.NAME, "label", images.dimension());
        collections.replace("rag-wound-photos", IndexKind.FLAT, images.dimension(), records);
        String model = chatTool();
        var agent = ToolBackendsEndToEndTests.agentGranted(List.of("rag-classify", model), "wound-images-deid");
        PROMPTS.clear();
        ANSWER.set(request -> completion(JSON.writeValueAsString(
                Map.of("label", "infected", "cited", List.of("wound-0"), "reason", "red, as the infected cases"))));
        String image = BuiltinToolsTests.base64(BuiltinToolsTests.solid(new Color(210, 35, 30), 16));

        var answer = client.call("POST", "/gateway/v1/tools/rag-classify", agent.token(), """
                {"arguments":{"collection":"rag-wound-photos","model":"%s","image":"%s","k":3},
                 "dataset":"wound-images-deid","purposeOfUse":"TREAT"}""".formatted(model, image));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.json().get("structured").get("label").asString()).isEqualTo("infected");
        assertThat(PROMPTS).hasSize(1);
        JsonNode user = PROMPTS.getFirst().get("messages").get(1).get("content");
        assertThat(user.isArray()).as(user.toString()).isTrue();
        assertThat(user.get(0).get("text").asString()).contains("id=wound-0 label=infected");
        assertThat(user.get(1).get("type").asString()).isEqualTo("image_url");
        assertThat(user.get(1).get("image_url").get("url").asString()).isEqualTo("data:image/png;base64," + image);
    }

    @Test
    void aKillSwitchOnTheModelToolStopsTheModelCall() {
        String model = chatTool();
        var agent = ToolBackendsEndToEndTests.agentGranted(List.of("rag-classify", model), SCOPE);
        PROMPTS.clear();
        var engaged = client.call("POST", "/api/v1/kill-switches", admin(), """
                {"scope":"TOOL","target":"%s","reason":"model misbehaving"}""".formatted(model));
        assertThat(engaged.status()).as(engaged.body()).isIn(200, 201);
        var answer = client.call(
                "POST", "/gateway/v1/tools/rag-classify", agent.token(), """
                {"arguments":{"collection":"%s","model":"%s","text":"rib fracture","k":5},
                 "dataset":"%s","purposeOfUse":"TREAT"}""".formatted(COLLECTION, model, SCOPE));
        assertThat(answer.body()).as(answer.body()).contains("KILL_SWITCH");
        assertThat(PROMPTS).as("nothing reached the model").isEmpty();
        client.call(
                "POST",
                "/api/v1/kill-switches/" + engaged.json().get("id").asString() + "/release",
                admin(),
                "{\"reason\":\"test over\"}");
    }

    @Test
    void phiIsNeverSentToAModelBackendNotApprovedForIt() {
        List<TextItem> items = List.of(
                new TextItem(
                        "derm-1",
                        "itchy silvery plaques on the elbows",
                        Map.of("dataset", "dermatology-phi", "label", "psoriasis")),
                new TextItem(
                        "derm-2",
                        "scaly plaques on both knees",
                        Map.of("dataset", "dermatology-phi", "label", "psoriasis")),
                new TextItem(
                        "derm-3",
                        "pearly nodule with telangiectasia on the nose",
                        Map.of("dataset", "dermatology-phi", "label", "basal-cell-carcinoma")));
        governedCollection("derm-notes-rag", "dermatology-phi");
        collections.replace("derm-notes-rag", IndexKind.HNSW, embedder.dimension(), TextItem.records(embedder, items));
        String model = chatTool();
        var agent = ToolBackendsEndToEndTests.agentGranted(List.of("rag-classify", model), "dermatology-phi");
        PROMPTS.clear();
        ANSWER.set(request -> completion("{\"label\":\"psoriasis\",\"cited\":[\"derm-1\"],\"reason\":\"plaques\"}"));
        var answer = client.call("POST", "/gateway/v1/tools/rag-classify", agent.token(), """
                {"arguments":{"collection":"derm-notes-rag","model":"%s","text":"silvery scaling plaques","k":3},
                 "dataset":"dermatology-phi","purposeOfUse":"TREAT"}""".formatted(model));
        assertThat(answer.body()).as(answer.body()).contains("BACKEND_NOT_PHI_APPROVED");
        assertThat(PROMPTS).as("no PHI case reached the model").isEmpty();
    }
}
