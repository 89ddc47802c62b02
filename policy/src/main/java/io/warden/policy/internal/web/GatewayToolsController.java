package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.policy.Decision;
import io.warden.policy.GrantedTool;
import io.warden.policy.OnBehalfOf;
import io.warden.policy.ToolCall;
import io.warden.policy.ToolGateway;
import io.warden.policy.ToolOutcome;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The agents' tools over REST, whatever their backend: {@code GET /gateway/v1/tools} lists what the calling agent may
 * call now, {@code POST /gateway/v1/tools/{tool}} calls one through {@link ToolGateway}'s pipeline (the same one the
 * MCP edge uses). The built-in tools keep their own {@code POST /gateway/v1/{tool}} as well.
 */
@Tag(name = "Gateway")
@RestController
@RequestMapping(path = "/gateway/v1/tools", produces = "application/json")
class GatewayToolsController {

    /** The tools the caller may call now, each with the JSON Schema of its arguments. */
    @Schema(name = "GatewayTools")
    record Tools(List<GrantedTool> tools) {}

    /** A call: the tool's arguments, the data scope it reads and the purpose of use it states. */
    @Schema(name = "GatewayToolCall")
    record Call(
            @Nullable Map<String, @Nullable Object> arguments,
            @Nullable @Size(max = 63) String dataset,
            @Nullable @Size(max = 20) String purposeOfUse) {}

    /** What the decision that permitted the call said: its id, and the obligations applied to the result. */
    @Schema(name = "GatewayToolDecision")
    record DecisionSummary(
            boolean allow,
            @Nullable String decisionId,
            List<String> reasons,
            List<String> redactedFields,
            boolean deidentified) {

        static DecisionSummary of(Decision decision) {
            return new DecisionSummary(
                    decision.allow(),
                    decision.decisionId(),
                    decision.reasons(),
                    decision.obligations().redactFields(),
                    decision.obligations().deidentificationRequired());
        }
    }

    /** The tool's answer after the obligations; {@code isError} when the backend reported the call as failed. */
    @Schema(name = "GatewayToolAnswer")
    record Answer(
            List<Map<String, Object>> content,
            @Nullable Map<String, Object> structured,
            boolean isError,
            long resultBytes,
            DecisionSummary decision) {}

    private final ToolGateway tools;

    GatewayToolsController(ToolGateway tools) {
        this.tools = tools;
    }

    @Operation(
            operationId = "listGatewayTools",
            summary = "List the tools the calling agent may call now, with the JSON Schema of their arguments")
    @ApiResponse(responseCode = "200", description = "The caller's tools", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "401", ref = "Unauthorized")
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @GetMapping
    Tools list(Principal principal) {
        return new Tools(tools.toolsFor(principal.getName()));
    }

    @Operation(
            operationId = "callGatewayTool",
            summary = "Call any tool as an agent (built-in, MCP or HTTP backend): authenticated, decided by policy,"
                    + " audited, its result redacted as the policy requires")
    @ApiResponse(responseCode = "200", description = "The tool's answer after obligations", useReturnTypeSchema = true)
    @ApiResponse(
            responseCode = "202",
            description = "Parked: the tool or data scope needs a person's approval of exactly this call. Nothing was"
                    + " forwarded; resubmit it with the approval id in Warden-Approval once approved",
            content = @Content(schema = @Schema(implementation = ParkedCalls.Parked.class)))
    @ApiResponse(responseCode = "400", ref = "BadRequest")
    @ApiResponse(responseCode = "401", ref = "Unauthorized")
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "429", ref = "TooManyRequests")
    @ApiResponse(responseCode = "503", ref = "ServiceUnavailable")
    @PostMapping(path = "/{tool:[A-Za-z0-9][A-Za-z0-9._-]{0,99}}", consumes = "application/json")
    Answer call(
            @PathVariable String tool,
            @RequestBody @Valid Call call,
            @RequestHeader(name = "X-Request-Id", required = false) @Nullable String requestId,
            @Parameter(description = "The id of a person's approval of exactly this call, when it resubmits with one")
                    @RequestHeader(name = GatewayController.APPROVAL_HEADER, required = false)
                    @Nullable
                    String approval,
            Principal principal,
            HttpServletRequest http) {
        ToolOutcome outcome = tools.call(new ToolCall(
                principal.getName(),
                tool,
                call.arguments() == null ? Map.of() : call.arguments(),
                call.dataset(),
                call.purposeOfUse(),
                requestId == null || requestId.length() > 128 ? null : requestId,
                ToolCall.Edge.REST,
                // the person comes from the delegated token, as authentication put it on the request
                http.getAttribute(OnBehalfOf.ATTRIBUTE) instanceof OnBehalfOf person ? person : null,
                null,
                approval));
        return new Answer(
                outcome.content(),
                outcome.structured(),
                outcome.toolError(),
                outcome.resultBytes(),
                DecisionSummary.of(outcome.decision()));
    }
}
