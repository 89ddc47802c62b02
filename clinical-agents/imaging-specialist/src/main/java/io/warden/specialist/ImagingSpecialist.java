package io.warden.specialist;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Answers one question — similar cases and the likely finding — over an initialized MCP session with Warden. It lists
 * its tools first and needs a search tool ({@code text-search} for a text, {@code image-search} for an image) and
 * {@code classify}, and with a chat-model tool configured ({@code --rag-model}) also {@code rag-classify}, which asks
 * that model tool to classify from the cases Warden retrieves. Every call states the purpose of use, the dataset and
 * the question's trace id in {@code _meta}.
 *
 * <p>A refusal at any step ends the question with {@link Outcome.Refused}: a tool error from Warden (its reason codes),
 * a tool Warden does not list or no longer knows for this agent ({@value #NOT_LISTED}), or credentials the token
 * endpoint no longer accepts. The RAG step is part of the question it was asked for: its refusal (a kill switch on the
 * model tool, a malformed model answer) ends the question without an answer, the k-NN vote included. The specialist
 * calls what it listed at the start of the question and lets Warden decide each call; a {@code list_changed} during
 * the question is a hint, Warden's answer to the call is the decision.
 *
 * <p>Not thread-safe: one question at a time per instance.
 */
public final class ImagingSpecialist {

    public static final String TEXT_SEARCH = "text-search";
    public static final String IMAGE_SEARCH = "image-search";
    public static final String CLASSIFY = "classify";
    public static final String RAG_CLASSIFY = "rag-classify";
    /** The reason given when Warden does not show the agent a tool it needs. */
    public static final String NOT_LISTED = "TOOL_NOT_LISTED";
    /** The reason given when the token endpoint refuses the agent's credentials during a question. */
    public static final String CREDENTIALS_REFUSED = "CREDENTIALS_REFUSED";

    /**
     * What Warden's reason codes for a refused RAG step mean for the question; Warden's own text says which check
     * failed.
     */
    private static final Map<String, String> RAG_REASONS = Map.of(
            "KILL_SWITCH",
            "a kill switch covers rag-classify, the model tool it asks or the dataset",
            "MODEL_ANSWER_INVALID",
            "the model answered out of shape (not the JSON object asked for, a label none of the cases carries, or"
                    + " a case it was not given), and Warden gives no label from it",
            "MODEL_REFUSED",
            "the model declined to name a label from the cases",
            "TOOL_NOT_GRANTED",
            "this agent is not granted the model tool rag-classify asks; onboarding grants it like any tool",
            "RAG_NO_CASES",
            "no labelled case this agent may read is near the query",
            "BACKEND_NOT_PHI_APPROVED",
            "the dataset holds PHI and the model's backend is not approved for PHI, so nothing was sent to it");

    static final String PURPOSE_KEY = "io.warden/purposeOfUse";
    static final String DATASET_KEY = "io.warden/dataset";
    static final String TRACE_KEY = "traceId";

    /** Told after each step that Warden answered, before the next one starts. */
    @FunctionalInterface
    public interface StepListener {
        /** {@code step} (a tool's name, or {@code tools/list}) was answered; {@code summary} says with what. */
        void completed(String step, String summary);

        StepListener NONE = (step, summary) -> {};
    }

    /**
     * Asks Warden why it refused a request at the HTTP level (401 or 403 on {@code /mcp}, e.g. a kill switch covering
     * the agent): the MCP client keeps only the status, Warden's problem document says why.
     */
    @FunctionalInterface
    public interface RefusalProbe {
        /** Warden's problem for the agent's requests now, or null when it gives none. */
        @Nullable
        Problem why(int status);

        /** A problem+json document's stable {@code code} and its {@code detail}. */
        record Problem(String code, String detail) {}

        RefusalProbe NONE = status -> null;
    }

    private final McpSyncClient mcp;
    private final SpecialistSettings settings;
    private final StepListener listener;
    private final RefusalProbe probe;

    public ImagingSpecialist(
            McpSyncClient mcp, SpecialistSettings settings, StepListener listener, RefusalProbe probe) {
        this.mcp = mcp;
        this.settings = settings;
        this.listener = listener;
        this.probe = probe;
    }

    /** Answers the settings' question, every call carrying {@code traceId}. Never throws for what Warden answers. */
    public Outcome answer(String traceId) {
        Question question = new Question(traceId, new ArrayList<>());
        try {
            return question.ask();
        } catch (Stop stop) {
            return stop.outcome;
        }
    }

    /** Ends a question with its outcome, from anywhere in the steps. */
    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Outcome outcome;

        Stop(Outcome outcome) {
            super(null, null, false, false);
            this.outcome = outcome;
        }
    }

    private final class Question {
        private final String traceId;
        private final List<String> calls;

        Question(String traceId, List<String> calls) {
            this.traceId = traceId;
            this.calls = calls;
        }

        Outcome ask() {
            Set<String> listed = listTools();
            String searchTool = settings.image() != null ? IMAGE_SEARCH : TEXT_SEARCH;
            String ragModel = settings.ragModel();
            List<String> needs =
                    ragModel == null ? List.of(searchTool, CLASSIFY) : List.of(searchTool, CLASSIFY, RAG_CLASSIFY);
            // the tools a question needs are checked before any is called: no call is made for an answer that
            // cannot be completed. The model tool is not among them: rag-classify calls it, and Warden's decision
            // on that nested call (a kill switch, a grant, PHI approval) comes back as rag-classify's refusal
            for (String needed : needs) {
                if (!listed.contains(needed)) {
                    throw new Stop(new Outcome.Refused(
                            traceId,
                            needed.equals(searchTool) ? "search" : needed,
                            needed,
                            List.of(NOT_LISTED),
                            "Warden does not list " + needed + " for this agent (tools listed: "
                                    + (listed.isEmpty()
                                            ? "none"
                                            : String.join(
                                                    ", ",
                                                    listed.stream().sorted().toList()))
                                    + "): it is not granted, or a kill switch covers it",
                            calls));
                }
            }
            Map<String, Object> query = query();

            Map<String, Object> searched = call("search", searchTool, query);
            List<Outcome.Case> cases = cases(searched, "label", searchTool);
            listener.completed(searchTool, cases.size() + " similar cases");

            Map<String, Object> classified = call("classify", CLASSIFY, query);
            Map<String, Object> classification = map(classified.get("classification"));
            String label = string(classified.get("label"));
            if (label == null || classification == null) {
                throw failed("classify", "classify answered without a label and its vote; no label is guessed");
            }
            List<Outcome.Vote> votes = new ArrayList<>();
            for (Object each : list(classification.get("labels"))) {
                Map<String, Object> vote = map(each);
                String name = vote == null ? null : string(vote.get("label"));
                if (vote == null || name == null || !(vote.get("votes") instanceof Number count)) {
                    throw failed("classify", "classify answered a vote without a label or a count: " + each);
                }
                votes.add(new Outcome.Vote(name, count.doubleValue()));
            }
            listener.completed(CLASSIFY, label);

            Outcome.RagVerdict rag = null;
            if (ragModel != null) {
                Map<String, Object> ragQuery = new LinkedHashMap<>(query);
                ragQuery.put("model", ragModel); // the chat-model tool rag-classify asks, itself a governed tool
                rag = verdict(call(RAG_CLASSIFY, RAG_CLASSIFY, ragQuery), ragModel);
                listener.completed(RAG_CLASSIFY, rag.label() + " by " + rag.model());
            }
            return new Outcome.Answered(
                    traceId,
                    settings.text() != null ? "\"" + settings.text() + "\"" : "the image " + settings.image(),
                    searchTool,
                    settings.dataset(),
                    settings.purposeOfUse(),
                    settings.collection(),
                    cases,
                    label,
                    votes,
                    classified.get("collectionVersion") instanceof Number version ? version.intValue() : null,
                    rag,
                    calls);
        }

        private Set<String> listTools() {
            McpSchema.ListToolsResult result;
            try {
                result = mcp.listTools();
            } catch (RuntimeException e) {
                throw new Stop(unanswered("list-tools", "tools/list", e));
            }
            Set<String> names = result.tools().stream().map(Tool::name).collect(Collectors.toSet());
            listener.completed(
                    "tools/list", String.join(", ", names.stream().sorted().toList()));
            return names;
        }

        private Map<String, Object> query() {
            Map<String, Object> arguments = new LinkedHashMap<>();
            arguments.put("collection", settings.collection());
            arguments.put("k", settings.k());
            if (settings.image() != null) {
                try {
                    arguments.put("image", Base64.getEncoder().encodeToString(Files.readAllBytes(settings.image())));
                } catch (IOException e) {
                    throw failed("search", "the image " + settings.image() + " cannot be read: " + e.getMessage());
                }
            } else {
                arguments.put("text", settings.text());
            }
            return arguments;
        }

        /** One governed call; its structured answer, or the question stops with Warden's refusal. */
        private Map<String, Object> call(String step, String tool, Map<String, Object> arguments) {
            CallToolRequest request = CallToolRequest.builder(tool)
                    .arguments(arguments)
                    .meta(Map.of(
                            PURPOSE_KEY, settings.purposeOfUse(), DATASET_KEY, settings.dataset(), TRACE_KEY, traceId))
                    .build();
            calls.add(tool);
            CallToolResult result;
            try {
                result = mcp.callTool(request);
            } catch (RuntimeException e) {
                throw new Stop(unanswered(step, tool, e));
            }
            if (Boolean.TRUE.equals(result.isError())) {
                Map<String, Object> structured = map(result.structuredContent());
                List<String> reasons = new ArrayList<>();
                if (structured != null) {
                    list(structured.get("reasons")).forEach(reason -> reasons.add(String.valueOf(reason)));
                }
                throw new Stop(new Outcome.Refused(
                        traceId,
                        step,
                        tool,
                        reasons.isEmpty() ? List.of("TOOL_ERROR") : reasons,
                        text(result) + ragStep(tool, reasons),
                        calls));
            }
            Map<String, Object> structured = map(result.structuredContent());
            if (structured == null) {
                throw failed(step, tool + " answered without structured content; nothing is read from its text");
            }
            return structured;
        }

        /**
         * An exception instead of an answer. An unknown tool (JSON-RPC invalid params naming it) is how Warden answers
         * a tool this agent may no longer see; credentials the token endpoint refuses end the question the same way.
         */
        private Outcome unanswered(String step, String tool, RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof ClientCredentialsTokens.Refused refused) {
                    return new Outcome.Refused(
                            traceId,
                            step,
                            tool,
                            List.of(CREDENTIALS_REFUSED, refused.error()),
                            refused.description(),
                            calls);
                }
                if (cause instanceof McpError error
                        && error.getJsonRpcError() != null
                        && error.getJsonRpcError().code() == McpSchema.ErrorCodes.INVALID_PARAMS
                        && String.valueOf(error.getJsonRpcError().data()).startsWith("Tool not found")) {
                    return new Outcome.Refused(
                            traceId,
                            step,
                            tool,
                            List.of(NOT_LISTED),
                            "Warden no longer shows " + tool + " to this agent ("
                                    + error.getJsonRpcError().message()
                                    + "): it was revoked, or a kill switch covers it, since the tools were listed",
                            calls);
                }
            }
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof McpHttpClientTransportAuthorizationException denied) {
                    int status = denied.getResponseInfo().statusCode();
                    RefusalProbe.Problem problem = probe.why(status);
                    return new Outcome.Refused(
                            traceId,
                            step,
                            tool,
                            problem == null ? List.of("HTTP_" + status) : List.of("HTTP_" + status, problem.code()),
                            problem == null
                                    ? "Warden refused the agent's request with HTTP " + status
                                    : problem.detail() + " (" + problem.code() + ")",
                            calls);
                }
            }
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Outcome.Failed(traceId, step, tool + ": " + message, calls);
        }

        /**
         * What a refusal of the RAG step means, after Warden's text: rag-classify is two decisions (the retrieval, then
         * the model tool), and Warden's message does not say which of them refused or what the code means for the
         * answer.
         */
        private String ragStep(String tool, List<String> reasons) {
            if (!tool.equals(RAG_CLASSIFY)) {
                return "";
            }
            StringBuilder said = new StringBuilder("\n  The RAG step (rag-classify asking the model tool ")
                    .append(settings.ragModel())
                    .append(") was refused");
            for (String reason : reasons) {
                String meaning = RAG_REASONS.get(reason);
                if (meaning != null) {
                    said.append("; ").append(reason).append(": ").append(meaning);
                }
            }
            return said.append(". No label is given without it.").toString();
        }

        /** The model's verdict as Warden parsed it; an answer without a label, reason or citations is not one. */
        private Outcome.RagVerdict verdict(Map<String, Object> answer, String ragModel) {
            String label = string(answer.get("label"));
            String reason = string(answer.get("reason"));
            if (label == null || reason == null) {
                throw failed(RAG_CLASSIFY, "rag-classify answered without a label or a reason; no label is guessed");
            }
            List<Outcome.Case> cited = new ArrayList<>();
            for (Object each : list(answer.get("cited"))) {
                Map<String, Object> citation = map(each);
                String id = citation == null ? null : string(citation.get("id"));
                if (citation == null || id == null) {
                    throw failed(RAG_CLASSIFY, "rag-classify answered a citation without a case id: " + each);
                }
                cited.add(new Outcome.Case(
                        id,
                        citation.get("score") instanceof Number score ? score.doubleValue() : Double.NaN,
                        string(citation.get("label"))));
            }
            if (cited.isEmpty()) {
                throw failed(RAG_CLASSIFY, "rag-classify answered without the cases it cited; no label is guessed");
            }
            String model = string(answer.get("model"));
            return new Outcome.RagVerdict(model == null ? ragModel : model, label, reason, cited);
        }

        private List<Outcome.Case> cases(Map<String, Object> answer, String labelField, String tool) {
            List<Outcome.Case> cases = new ArrayList<>();
            for (Object each : list(answer.get("hits"))) {
                Map<String, Object> hit = map(each);
                String id = hit == null ? null : string(hit.get("id"));
                if (hit == null || id == null || !(hit.get("score") instanceof Number score)) {
                    throw failed("search", tool + " answered a case without an id or a score: " + each);
                }
                Map<String, Object> metadata = map(hit.get("metadata"));
                cases.add(new Outcome.Case(
                        id, score.doubleValue(), metadata == null ? null : string(metadata.get(labelField))));
            }
            return cases;
        }

        private Stop failed(String step, String message) {
            return new Stop(new Outcome.Failed(traceId, step, message, calls));
        }
    }

    private static String text(CallToolResult result) {
        if (result.content() == null) {
            return "(no text)";
        }
        return result.content().stream()
                .filter(McpSchema.TextContent.class::isInstance)
                .map(content -> ((McpSchema.TextContent) content).text())
                .collect(Collectors.joining(" "));
    }

    @SuppressWarnings("unchecked")
    private static @Nullable Map<String, Object> map(@Nullable Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
    }

    private static List<?> list(@Nullable Object value) {
        return value instanceof List<?> list ? list : List.of();
    }

    private static @Nullable String string(@Nullable Object value) {
        return value instanceof String text && !text.isBlank() ? text : null;
    }
}
