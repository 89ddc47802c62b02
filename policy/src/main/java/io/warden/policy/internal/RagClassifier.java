package io.warden.policy.internal;

import io.warden.audit.problem.ProblemKind;
import io.warden.clinical.CollectionCatalog;
import io.warden.clinical.CollectionInfo;
import io.warden.clinical.SearchHit;
import io.warden.policy.GatewayDenied;
import io.warden.policy.GatewayRequest;
import io.warden.policy.ReasonCodes;
import io.warden.policy.ToolCall;
import io.warden.policy.ToolOutcome;
import io.warden.registry.BackendKind;
import io.warden.registry.ToolView;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code rag-classify}: the labelled cases nearest to the query, retrieved through the governed pipeline as the
 * {@code rag-classify} tool, are put before a chat-completions model (OpenAI's wire format) that is itself a tool
 * — an HTTP backend the agent is granted — so the model call is decided on the same dataset and purpose, audited,
 * killable, and refused for a PHI dataset unless its backend is approved for PHI. The answer is parsed into a label
 * with the cases the model cited and its stated reason; a refusal, a malformed answer, a label no case carries or a
 * citation of a case it was not given is an error, never a guessed label. Thread-safe.
 */
final class RagClassifier {

    /** The system prompt: what the model must answer, and that it may only use the cases it is given. */
    static final String INSTRUCTIONS = "You classify a clinical query (a text or an image) using only the labelled"
            + " cases given with it, which are the most similar cases in a governed collection. Answer with one JSON"
            + " object and nothing else: {\"label\": the label of your answer, which must be one of the cases'"
            + " labels, \"cited\": [the ids of the cases that support it], \"reason\": one sentence}. If the cases"
            + " do not support any of their labels, answer {\"label\": null, \"cited\": [], \"reason\": why}.";

    private static final int MAX_REASON = 2_000;

    private final GatewayService gateway;
    private final Function<String, Optional<ToolView>> tools;
    private final CollectionCatalog collections;
    private final JsonMapper json;

    RagClassifier(
            GatewayService gateway,
            Function<String, Optional<ToolView>> tools,
            CollectionCatalog collections,
            JsonMapper json) {
        this.gateway = gateway;
        this.tools = tools;
        this.collections = collections;
        this.json = json;
    }

    /**
     * @param modelTool the key of the chat-completions tool the agent calls the model through
     * @param modelName the {@code model} the backend is asked for; the tool's key when not given
     */
    ToolOutcome classify(ToolCall call, GatewayRequest request, String modelTool, @Nullable String modelName) {
        ToolView model = tools.apply(modelTool).orElse(null);
        if (model == null || model.target().kind() != BackendKind.HTTP) {
            gateway.refusedInvalid(
                    call.clientId(),
                    call.tool(),
                    request.dataset(),
                    request.purposeOfUse(),
                    "model",
                    call.edge(),
                    call.traceId());
            throw GatewayDenied.invalidField(
                    List.of(ReasonCodes.INVALID_REQUEST),
                    "model",
                    "model names the chat-completions tool (an HTTP tool) to ask; " + modelTool + " is none");
        }
        // first decision: the agent may read these cases (rag-classify on the dataset), recorded like every call
        GatewayService.Result retrieved = gateway.call(
                call.clientId(),
                BuiltinTools.RAG_CLASSIFY,
                request,
                call.edge(),
                call.traceId(),
                GatewayService.Presented.of(call));
        String labelField = collections
                .find(retrieved.collection())
                .map(CollectionInfo::labelField)
                .orElse(BuiltinTools.DEFAULT_LABEL_FIELD);
        List<SearchHit> cases = retrieved.hits().stream()
                .filter(hit -> hit.metadata().get(labelField) != null)
                .toList();
        if (cases.isEmpty()) {
            throw new GatewayDenied(
                    ProblemKind.UNPROCESSABLE,
                    List.of(ReasonCodes.RAG_NO_CASES),
                    "No labelled case of " + retrieved.collection() + " that this agent may read is near the query",
                    0);
        }
        Map<String, @Nullable Object> arguments = new LinkedHashMap<>();
        arguments.put("model", modelName == null || modelName.isBlank() ? modelTool : modelName);
        arguments.put("messages", messages(request, cases, labelField));
        arguments.put("temperature", 0);
        arguments.put("response_format", Map.of("type", "json_object"));
        // second decision: the model call, as the model tool, on the same dataset and purpose
        ToolOutcome answered = gateway.callTool(
                new ToolCall(
                        call.clientId(),
                        modelTool,
                        arguments,
                        request.dataset(),
                        request.purposeOfUse(),
                        call.traceId(),
                        call.edge(),
                        // the model call serves the same person for the same reason; an approval is bound to the
                        // rag-classify call's arguments, not the model's
                        call.onBehalfOf(),
                        call.justification(),
                        null),
                model);
        Verdict verdict = parse(answered, cases, labelField);
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("label", verdict.label());
        structured.put("reason", verdict.reason());
        structured.put(
                "cited",
                verdict.cited().stream()
                        .map(hit -> Map.<String, Object>of(
                                "id",
                                hit.id(),
                                "label",
                                String.valueOf(hit.metadata().get(labelField)),
                                "score",
                                hit.score()))
                        .toList());
        structured.put("model", modelTool);
        structured.putAll(GovernedToolGateway.structured(retrieved));
        structured.put("label", verdict.label()); // the model's label, not a vote
        structured.remove("classification");
        return new ToolOutcome(
                List.of(Map.of(
                        "type",
                        "text",
                        "text",
                        "Label " + verdict.label() + " by " + modelTool + ", citing "
                                + verdict.cited().stream().map(SearchHit::id).toList() + ": " + verdict.reason())),
                structured,
                false,
                retrieved.decision(),
                retrieved.hits().size());
    }

    /** The chat messages: the instructions, then the query (its text, or its image as a data URL) and the cases. */
    List<Map<String, Object>> messages(GatewayRequest request, List<SearchHit> cases, String labelField) {
        StringBuilder listing = new StringBuilder("Labelled cases, most similar first:\n");
        for (int i = 0; i < cases.size(); i++) {
            SearchHit hit = cases.get(i);
            listing.append(i + 1)
                    .append(". id=")
                    .append(hit.id())
                    .append(" label=")
                    .append(hit.metadata().get(labelField))
                    .append(" similarity=")
                    .append(String.format(Locale.ROOT, "%.3f", hit.score()));
            hit.metadata().entrySet().stream()
                    .filter(e -> !e.getKey().equals(labelField) && !e.getKey().equals("dataset"))
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e ->
                            listing.append(' ').append(e.getKey()).append('=').append(e.getValue()));
            listing.append('\n');
        }
        Object user;
        if (request.image() != null) {
            user = List.of(
                    Map.of("type", "text", "text", "Classify this image.\n" + listing),
                    Map.of(
                            "type",
                            "image_url",
                            "image_url",
                            Map.of(
                                    "url",
                                    "data:" + mediaType(request.image()) + ";base64,"
                                            + Base64.getEncoder().encodeToString(request.image()))));
        } else {
            user = "Query: " + request.text() + "\n" + listing;
        }
        return List.of(Map.of("role", "system", "content", INSTRUCTIONS), Map.of("role", "user", "content", user));
    }

    private static String mediaType(byte[] image) {
        return image.length > 3 && (image[0] & 0xff) == 0xff && (image[1] & 0xff) == 0xd8 ? "image/jpeg" : "image/png";
    }

    record Verdict(String label, List<SearchHit> cited, String reason) {}

    /** The model's answer as a verdict, or the error that says why it is none. */
    Verdict parse(ToolOutcome answered, List<SearchHit> cases, String labelField) {
        if (answered.toolError() || answered.structured() == null) {
            throw invalid("The model's backend answered with an error");
        }
        JsonNode completion = json.valueToTree(answered.structured());
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        if (!message.path("refusal").isMissingNode() && !message.path("refusal").isNull()) {
            throw refused("The model refused: " + clip(message.path("refusal").asString("")));
        }
        if ("content_filter".equals(choice.path("finish_reason").asString(""))) {
            throw refused("The model's answer was withheld by its content filter");
        }
        String content =
                message.path("content").isString() ? message.path("content").asString() : "";
        JsonNode answer;
        try {
            answer = json.readTree(unfenced(content.strip()));
        } catch (JacksonException e) {
            throw invalid("The model's answer is not the JSON object asked for: " + clip(content));
        }
        if (!answer.isObject()) {
            throw invalid("The model's answer is not a JSON object: " + clip(content));
        }
        JsonNode label = answer.path("label");
        String reason = answer.path("reason").isString() ? answer.path("reason").asString() : "";
        if (label.isNull() || label.isMissingNode()) {
            throw refused("The model named no label: " + clip(reason));
        }
        if (!label.isString() || label.asString().isBlank()) {
            throw invalid("The model's label is not a string");
        }
        Set<String> labels = new LinkedHashSet<>();
        cases.forEach(hit -> labels.add(String.valueOf(hit.metadata().get(labelField))));
        if (!labels.contains(label.asString())) {
            throw invalid(
                    "The model answered " + clip(label.asString()) + ", which none of the cases carries " + labels);
        }
        if (!answer.path("cited").isArray() || answer.path("cited").isEmpty()) {
            throw invalid("The model cited no case");
        }
        List<SearchHit> cited = new ArrayList<>();
        for (JsonNode id : answer.path("cited")) {
            SearchHit hit = cases.stream()
                    .filter(c -> id.isString() && c.id().equals(id.asString()))
                    .findFirst()
                    .orElseThrow(() -> invalid("The model cited " + clip(id.toString()) + ", a case it was not given"));
            if (!cited.contains(hit)) {
                cited.add(hit);
            }
        }
        if (reason.isBlank()) {
            throw invalid("The model gave no reason");
        }
        return new Verdict(label.asString(), List.copyOf(cited), clip(reason));
    }

    /** A model asked for bare JSON sometimes wraps it in one Markdown code fence; that fence, and nothing else, goes. */
    private static String unfenced(String content) {
        if (content.startsWith("```") && content.endsWith("```") && content.length() >= 6) {
            String inner = content.substring(3, content.length() - 3);
            int newline = inner.indexOf('\n');
            return newline >= 0 && inner.substring(0, newline).strip().matches("[A-Za-z]*")
                    ? inner.substring(newline + 1)
                    : inner;
        }
        return content;
    }

    private static String clip(String text) {
        return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "…";
    }

    private static GatewayDenied invalid(String message) {
        return new GatewayDenied(ProblemKind.UNAVAILABLE, List.of(ReasonCodes.MODEL_ANSWER_INVALID), message, 0);
    }

    private static GatewayDenied refused(String message) {
        return new GatewayDenied(ProblemKind.UNPROCESSABLE, List.of(ReasonCodes.MODEL_REFUSED), message, 0);
    }
}
