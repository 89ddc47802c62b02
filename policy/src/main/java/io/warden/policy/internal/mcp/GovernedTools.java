package io.warden.policy.internal.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.warden.policy.ApprovalRequired;
import io.warden.policy.GatewayDenied;
import io.warden.policy.GrantedTool;
import io.warden.policy.OnBehalfOf;
import io.warden.policy.ReasonCodes;
import io.warden.policy.ToolCall;
import io.warden.policy.ToolGateway;
import io.warden.policy.ToolOutcome;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an agent sees and does over MCP, all through the {@link ToolGateway}.
 *
 * <p>The SDK lists the tools registered with its server, through a filter. Registered here is every tool some agent
 * was shown ({@link #register}), as {@code toolsFor} describes it; the filter then shows a caller exactly the tools
 * {@code toolsFor} gives it on that request, so a grant revoked or a kill switch engaged hides a tool at the next
 * {@code tools/list}. Every {@code tools/call} goes through {@link ToolGateway#call}, which decides and records it:
 * the filter hides, it does not authorize. A tool the caller could not see when it called is answered exactly as a
 * tool that does not exist (a JSON-RPC error, not a tool error), whatever the gateway's reason, so that its
 * existence does not leak; a denial of a visible tool is a tool error carrying the reason codes. Thread-safe.
 */
final class GovernedTools {

    static final String CLIENT_ID = "io.warden/clientId";
    static final String SESSION_ID = "io.warden/sessionId";
    static final String REQUEST_ID = "io.warden/requestId";
    static final String VISIBLE = "io.warden/visibleTools";

    private static final Logger log = LoggerFactory.getLogger(GovernedTools.class);

    static final String META_PURPOSE = "io.warden/purposeOfUse";
    static final String META_DATASET = "io.warden/dataset";
    static final String META_JUSTIFICATION = "io.warden/justification";
    static final String META_APPROVAL = "io.warden/approval";
    /** The person a delegated token names, as authentication put it on the request. */
    static final String ON_BEHALF_OF = "io.warden/onBehalfOf";

    /** W3C trace context: version, trace id, parent id, flags. */
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");

    private static final Pattern TRACE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final ToolGateway gateway;
    private final Cancellations cancellations;
    private final ListedTools listed;
    private final McpJsonMapper json;
    private final ConcurrentMap<String, Tool> registered = new ConcurrentHashMap<>();
    private volatile @Nullable McpSyncServer server;

    GovernedTools(ToolGateway gateway, Cancellations cancellations, ListedTools listed, McpJsonMapper json) {
        this.gateway = gateway;
        this.cancellations = cancellations;
        this.listed = listed;
        this.json = json;
    }

    /** Connects the server the tools are registered with (it is built with this object's filter). */
    void attach(McpSyncServer server) {
        this.server = server;
    }

    /**
     * The transport context of one HTTP request, on the request's thread (Spring Security's principal is there,
     * not on the threads the SDK runs handlers on). For {@code tools/list} it holds the caller's tools now.
     */
    McpTransportContext context(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        if (principal == null) {
            return McpTransportContext.EMPTY;
        }
        String clientId = principal.getName();
        Map<String, Object> context = new HashMap<>();
        context.put(CLIENT_ID, clientId);
        if (request.getAttribute(OnBehalfOf.ATTRIBUTE) instanceof OnBehalfOf person) {
            context.put(ON_BEHALF_OF, person);
        }
        String session = request.getHeader(McpEndpoint.SESSION_HEADER);
        if (session != null) {
            context.put(SESSION_ID, session);
        }
        if (request.getAttribute(McpEndpoint.REQUEST_ID) instanceof String id) {
            context.put(REQUEST_ID, id);
        }
        Object method = request.getAttribute(McpEndpoint.METHOD);
        if (McpSchema.METHOD_TOOLS_LIST.equals(method)) {
            List<GrantedTool> tools = gateway.toolsFor(clientId);
            register(tools);
            Set<String> names = tools.stream().map(GrantedTool::key).collect(Collectors.toUnmodifiableSet());
            context.put(VISIBLE, names);
            if (session != null && Boolean.TRUE.equals(request.getAttribute(McpEndpoint.OWN_SESSION))) {
                listed.listed(session, clientId, names); // from now on it is told when these change
            }
        } else if (McpSchema.METHOD_TOOLS_CALL.equals(method)
                && request.getAttribute(McpEndpoint.TOOL) instanceof String tool
                && !registered.containsKey(tool)) {
            // a client may call a tool it was told of earlier (another session, another instance) without listing
            register(gateway.toolsFor(clientId));
        }
        return McpTransportContext.create(context);
    }

    /** The tool filter of {@code tools/list}. */
    boolean visible(McpTransportContext context, Tool tool) {
        if (context.get(VISIBLE) instanceof Set<?> visible) {
            return visible.contains(tool.name());
        }
        return false; // no caller, no list: fail closed
    }

    /** Registers these tools with the server, replacing a registration whose description changed. */
    void register(List<GrantedTool> tools) {
        McpSyncServer target = server;
        if (target == null) {
            return;
        }
        for (GrantedTool granted : tools) {
            Tool tool = Tool.builder(granted.key())
                    .title(granted.displayName())
                    .description(granted.description())
                    .inputSchema(granted.inputSchema())
                    .build();
            if (tool.equals(registered.get(granted.key()))) {
                continue;
            }
            synchronized (this) { // one registration at a time: the SDK replaces by remove-then-add
                if (!tool.equals(registered.get(granted.key()))) {
                    target.addTool(McpServerFeatures.SyncToolSpecification.builder()
                            .tool(tool)
                            .callHandler(this::call)
                            .build());
                    registered.put(granted.key(), tool);
                }
            }
        }
    }

    /** The handler of every tool: the gateway decides, records and forwards. */
    CallToolResult call(McpSyncServerExchange exchange, CallToolRequest request) {
        McpTransportContext context = exchange.transportContext();
        if (!(context.get(CLIENT_ID) instanceof String clientId)) {
            throw unknownTool(request.name()); // never reached behind the security chain; fail closed
        }
        // as the caller could see it when the call began: a kill switch engaged during the call is named in its denial
        boolean visible = gateway.visible(clientId, request.name());
        Map<String, @Nullable Object> arguments =
                request.arguments() == null ? Map.of() : new LinkedHashMap<>(request.arguments());
        Map<String, Object> meta = request.meta() == null ? Map.of() : request.meta();
        ToolCall call = new ToolCall(
                clientId,
                request.name(),
                arguments,
                stated(meta, arguments, META_DATASET, "dataset"),
                stated(meta, arguments, META_PURPOSE, "purposeOfUse"),
                traceId(meta),
                ToolCall.Edge.MCP,
                context.get(ON_BEHALF_OF) instanceof OnBehalfOf person ? person : null,
                meta.get(META_JUSTIFICATION) instanceof String justification ? justification : null,
                meta.get(META_APPROVAL) instanceof String approval ? approval : null);
        ToolOutcome outcome;
        String session = context.get(SESSION_ID) instanceof String s ? s : "";
        String requestId = context.get(REQUEST_ID) instanceof String r ? r : "";
        try (Cancellations.Running running = cancellations.started(clientId, session, requestId)) {
            outcome = gateway.call(call);
        } catch (ApprovalRequired parked) {
            return parked(exchange, parked);
        } catch (GatewayDenied denied) {
            if (!visible) {
                throw unknownTool(request.name());
            }
            return denial(denied);
        }
        return result(outcome);
    }

    /**
     * A call parked for a person's approval, answered as the MCP specification provides for sending a person to a
     * URL (2025-11-25). A client that declared URL-mode elicitation is sent {@code elicitation/create} (mode
     * {@code url}, the approval link, the approval id as the elicitation id) and the call ends in a tool error naming
     * {@code APPROVAL_REQUIRED}; whatever the client answers, the approval is decided at the link, never in the
     * client. A client that cannot elicit gets the JSON-RPC error {@code -32042} (URLElicitationRequiredError)
     * carrying the same elicitation. Either way the agent resubmits with {@code _meta["io.warden/approval"]}.
     */
    private static CallToolResult parked(McpSyncServerExchange exchange, ApprovalRequired parked) {
        String message = "Warden parked this call until a person approves its exact arguments: open the link to have"
                + " it decided, then make the same call again with _meta[\"" + META_APPROVAL + "\"] = \""
                + parked.approvalId() + "\" (once, before " + parked.expiresAt() + ").";
        McpSchema.ClientCapabilities capabilities = exchange.getClientCapabilities();
        boolean canElicitUrl = capabilities != null
                && capabilities.elicitation() != null
                && capabilities.elicitation().url() != null;
        if (!canElicitUrl) {
            Map<String, Object> elicitation = new LinkedHashMap<>();
            elicitation.put("mode", McpSchema.ElicitUrlRequest.MODE);
            elicitation.put("elicitationId", parked.approvalId());
            elicitation.put("url", parked.link().toString());
            elicitation.put("message", message);
            throw McpError.builder(McpSchema.ErrorCodes.URL_ELICITATION_REQUIRED)
                    .message("This request requires a person's approval.")
                    .data(Map.of("elicitations", List.of(elicitation)))
                    .build();
        }
        try {
            var answer = exchange.createElicitation(
                    McpSchema.ElicitUrlRequest.builder(message, parked.link().toString(), parked.approvalId())
                            .build());
            log.debug("Client answered the approval elicitation {} with {}", parked.approvalId(), answer.action());
        } catch (RuntimeException e) {
            // the link is in the tool error as well: an agent whose client failed to show it can still pass it on
            log.info("Could not send the approval elicitation {}: {}", parked.approvalId(), e.toString());
        }
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("reasons", List.of(ReasonCodes.APPROVAL_REQUIRED));
        structured.put("approvalId", parked.approvalId());
        structured.put("link", parked.link().toString());
        structured.put("expiresAt", parked.expiresAt().toString());
        return CallToolResult.builder()
                .isError(true)
                .addTextContent(
                        "Refused by Warden (" + ReasonCodes.APPROVAL_REQUIRED + "): " + message + " " + parked.link())
                .structuredContent(structured)
                .build();
    }

    private CallToolResult result(ToolOutcome outcome) {
        List<McpSchema.Content> content =
                json.convertValue(outcome.content(), new TypeRef<List<McpSchema.Content>>() {});
        CallToolResult.Builder result =
                CallToolResult.builder().content(content).isError(outcome.toolError());
        if (outcome.structured() != null) {
            result.structuredContent(outcome.structured());
        }
        return result.build();
    }

    static CallToolResult denial(GatewayDenied denied) {
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("reasons", denied.reasons());
        structured.put("kind", denied.kind().name());
        structured.put("code", denied.code());
        if (denied.retryAfterSeconds() > 0) {
            structured.put("retryAfterSeconds", denied.retryAfterSeconds());
        }
        return CallToolResult.builder()
                .isError(true)
                .addTextContent(
                        "Refused by Warden (" + String.join(", ", denied.reasons()) + "): " + denied.getMessage())
                .structuredContent(structured)
                .build();
    }

    /** Exactly the SDK's answer for a name it has no tool for. */
    static McpError unknownTool(String name) {
        return McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS)
                .message("Unknown tool: invalid_tool_name")
                .data("Tool not found: " + name)
                .build();
    }

    /** A value the agent states in {@code _meta} (namespaced or plain key), else in the arguments. */
    private static @Nullable String stated(
            Map<String, Object> meta, Map<String, @Nullable Object> arguments, String namespaced, String plain) {
        if (meta.get(namespaced) instanceof String value) {
            return value;
        }
        if (meta.get(plain) instanceof String value) {
            return value;
        }
        return arguments.get(plain) instanceof String value ? value : null;
    }

    private static @Nullable String traceId(Map<String, Object> meta) {
        if (meta.get("traceparent") instanceof String traceparent) {
            Matcher matcher = TRACEPARENT.matcher(traceparent);
            if (matcher.matches()) {
                return matcher.group(1);
            }
        }
        if (meta.get("traceId") instanceof String traceId
                && TRACE_ID.matcher(traceId).matches()) {
            return traceId;
        }
        return null; // a malformed id is dropped rather than copied into the audit trail
    }
}
