package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.clinical.SearchHit;
import io.warden.clinical.SeriesVectors;
import io.warden.policy.GatewayDenied;
import io.warden.policy.GatewayRequest;
import io.warden.policy.OnBehalfOf;
import io.warden.policy.internal.BuiltinTools;
import io.warden.policy.internal.GatewayService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The agents' data plane: {@code POST /gateway/v1/{tool}} for the tools the retrieval service offers
 * (image-search, text-search, cohort-search, classify, volume-search). Every call passes the whole pipeline.
 */
@Tag(
        name = "Gateway",
        description =
                "The agents' data plane: every call is authenticated, checked against kill switches and policy, and audited")
@RestController
@RequestMapping(path = "/gateway/v1", produces = "application/json")
class GatewayController {

    /**
     * A call: what to search, for which dataset and purpose, with one query: a text, a vector, an image (base64) or a
     * DICOM series, as the tool takes (its schema at {@code GET /gateway/v1/tools} says which).
     */
    @Schema(name = "ToolCall")
    record Call(
            @NotBlank @Size(max = 63) String collection,
            @NotBlank @Size(max = 63) String dataset,
            @Nullable @Size(max = 20) String purposeOfUse,
            @Nullable @Size(max = 4000) String text,
            float @Nullable [] vector,

            @Schema(description = "A PNG or JPEG image, base64 (image-search, classify)")
            @Nullable
            @Size(max = BuiltinTools.MAX_IMAGE_CHARS)
            String image,

            @Schema(description = "A DICOM series (volume-search)") @Nullable @Valid
            Series series,

            @Min(1) @Max(10000) int k,
            @Nullable Map<String, String> filter,

            @Schema(description = "classify: weigh each neighbour's vote by its similarity") @Nullable
            Boolean weighted,

            @Schema(description = "volume-search: MEDIAN (default), MEAN, MAX or STD") @Nullable @Size(max = 10)
            String aggregation,

            @Schema(description = "Why the call is made; required for emergency treatment (ETREAT)")
            @Nullable
            @Size(max = 1000)
            String justification) {}

    /** A DICOM series: uploaded instances (base64 Part 10 files), or a series of a registered DICOMweb source. */
    @Schema(name = "ToolCallSeries")
    record Series(
            @Nullable @Size(max = BuiltinTools.MAX_INSTANCES)
            List<String> instances,

            @Nullable @Size(max = 63) String source,
            @Nullable @Size(max = 64) String studyUid,
            @Nullable @Size(max = 64) String seriesUid) {}

    /**
     * The answer: the hits after the policy's obligations with the evidence of what was searched (the collection and
     * the version the search ran on), the k actually used; for classify the vote.
     */
    @Schema(name = "ToolAnswer")
    record Answer(
            List<SearchHit> hits,
            int k,
            List<String> redacted,
            String collection,
            long collectionVersion,

            @Schema(description = "classify: the Top-1 label") @Nullable
            String label,

            @Schema(description = "classify: the vote") @Nullable
            Classification classification) {}

    /** A vote: the labels with their votes, most first (the Top-k labels), over the label field of the collection. */
    @Schema(name = "ToolAnswerClassification")
    record Classification(
            @Nullable String label, String labelField, boolean weighted, List<GatewayService.LabelVotes> labels) {}

    /** The header an agent resubmits a parked call with, naming the approval a person gave. */
    public static final String APPROVAL_HEADER = "Warden-Approval";

    private final GatewayService gateway;

    GatewayController(GatewayService gateway) {
        this.gateway = gateway;
    }

    @Operation(operationId = "callTool", summary = "Call a tool as an agent: authenticated, decided by policy, audited")
    @ApiResponse(
            responseCode = "200",
            description = "The hits after the policy's obligations, and the k used",
            useReturnTypeSchema = true)
    @ApiResponse(
            responseCode = "202",
            description = "Parked: the tool or data scope needs a person's approval of exactly this call. Nothing was"
                    + " forwarded; Location is where a person decides. Resubmit the same call with the approval id in"
                    + " the Warden-Approval header once it is approved (once only, before expiresAt)",
            content = @Content(schema = @Schema(implementation = ParkedCalls.Parked.class)))
    @ApiResponse(responseCode = "429", ref = "TooManyRequests")
    @ApiResponse(responseCode = "503", ref = "ServiceUnavailable")
    @PostMapping(
            path = "/{tool:image-search|text-search|cohort-search|classify|volume-search}",
            consumes = "application/json")
    Answer call(
            @PathVariable String tool,
            @RequestBody @Valid Call call,
            Principal principal,
            @Parameter(description = "A W3C trace context: its trace id is kept in the call's audit records")
                    @RequestHeader(name = "traceparent", required = false)
                    @Nullable
                    String traceparent,
            @Parameter(description = "The caller's request id, kept in the audit records when no traceparent is sent")
                    @RequestHeader(name = "X-Request-Id", required = false)
                    @Nullable
                    String requestId,
            @Parameter(description = "The id of a person's approval of exactly this call, when it resubmits with one")
                    @RequestHeader(name = APPROVAL_HEADER, required = false)
                    @Nullable
                    String approval,
            HttpServletRequest http) {
        GatewayRequest request;
        try {
            request = new GatewayRequest(
                    call.collection(),
                    call.dataset(),
                    call.purposeOfUse(),
                    call.text(),
                    call.vector(),
                    call.image() == null
                            ? null
                            : BuiltinTools.decode("image", call.image(), BuiltinTools.MAX_IMAGE_BYTES),
                    series(call.series()),
                    call.k(),
                    call.filter(),
                    Boolean.TRUE.equals(call.weighted()),
                    BuiltinTools.aggregation("aggregation", call.aggregation()));
        } catch (GatewayDenied denied) {
            gateway.refusedInvalid(
                    principal.getName(),
                    tool,
                    call.dataset(),
                    call.purposeOfUse(),
                    Objects.requireNonNullElse(denied.field(), "(body)"));
            throw denied;
        }
        // the person comes from the delegated token, as authentication put it on the request, never from the body
        OnBehalfOf person = http.getAttribute(OnBehalfOf.ATTRIBUTE) instanceof OnBehalfOf delegated ? delegated : null;
        var result = gateway.call(
                principal.getName(),
                tool,
                request,
                traceId(traceparent, requestId),
                new GatewayService.Presented(person, call.justification(), approval));
        GatewayService.Verdict verdict = result.verdict();
        return new Answer(
                result.hits(),
                result.k(),
                result.decision().obligations().redactFields(),
                result.collection(),
                result.collectionVersion(),
                verdict == null ? null : verdict.label(),
                verdict == null
                        ? null
                        : new Classification(
                                verdict.label(), verdict.labelField(), verdict.weighted(), verdict.labels()));
    }

    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** The trace id of a well-formed traceparent, else a well-formed request id, else none (never what is malformed). */
    static @Nullable String traceId(@Nullable String traceparent, @Nullable String requestId) {
        if (traceparent != null) {
            Matcher matcher = TRACEPARENT.matcher(traceparent.trim());
            if (matcher.matches()) {
                return matcher.group(1);
            }
        }
        return requestId != null && REQUEST_ID.matcher(requestId).matches() ? requestId : null;
    }

    private static SeriesVectors.@Nullable Series series(@Nullable Series series) {
        if (series == null) {
            return null;
        }
        if (series.instances() != null) {
            return BuiltinTools.instances("series.instances", series.instances());
        }
        return BuiltinTools.dicomWeb(series.source(), series.studyUid(), series.seriesUid());
    }
}
