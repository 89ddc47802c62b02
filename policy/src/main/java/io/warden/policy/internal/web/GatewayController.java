package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.clinical.SearchHit;
import io.warden.policy.GatewayRequest;
import io.warden.policy.internal.GatewayService;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The agents' data plane: {@code POST /gateway/v1/{tool}} for the tools the retrieval service offers
 * (image-search, text-search, cohort-search, classify). Every call passes the whole pipeline.
 */
@Tag(
        name = "Gateway",
        description =
                "The agents' data plane: every call is authenticated, checked against kill switches and policy, and audited")
@RestController
@RequestMapping(path = "/gateway/v1", produces = "application/json")
class GatewayController {

    /** A call: what to search, for which dataset and purpose, with a text or a vector. */
    @Schema(name = "ToolCall")
    record Call(
            @NotBlank @Size(max = 63) String collection,
            @NotBlank @Size(max = 63) String dataset,
            @Nullable @Size(max = 20) String purposeOfUse,
            @Nullable @Size(max = 4000) String text,
            float @Nullable [] vector,
            @Min(1) @Max(10000) int k,
            @Nullable Map<String, String> filter) {}

    /** The answer: the hits after the policy's obligations, and the k actually used. */
    @Schema(name = "ToolAnswer")
    record Answer(List<SearchHit> hits, int k, List<String> redacted) {}

    private final GatewayService gateway;

    GatewayController(GatewayService gateway) {
        this.gateway = gateway;
    }

    @Operation(operationId = "callTool", summary = "Call a tool as an agent: authenticated, decided by policy, audited")
    @ApiResponse(
            responseCode = "200",
            description = "The hits after the policy's obligations, and the k used",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "429", ref = "TooManyRequests")
    @ApiResponse(responseCode = "503", ref = "ServiceUnavailable")
    @PostMapping(path = "/{tool:image-search|text-search|cohort-search|classify}", consumes = "application/json")
    Answer call(@PathVariable String tool, @RequestBody @Valid Call call, Principal principal) {
        var result = gateway.call(
                principal.getName(),
                tool,
                new GatewayRequest(
                        call.collection(),
                        call.dataset(),
                        call.purposeOfUse(),
                        call.text(),
                        call.vector(),
                        call.k(),
                        call.filter(),
                        null));
        return new Answer(
                result.hits(), result.k(), result.decision().obligations().redactFields());
    }
}
