package io.warden.audit.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditExports;
import io.warden.audit.AuditKeys;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditQuery;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import io.warden.audit.AuditTrail;
import io.warden.audit.AuditVerifier;
import io.warden.audit.ExportFormat;
import io.warden.audit.Verification;
import java.security.Principal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** Search, read and verify the audit trail; the public keys that verify its checkpoints. */
@Tag(name = "Audit", description = "The append-only, hash-chained audit trail: search, verify, export")
@RestController
@RequestMapping(path = "/api/v1/audit")
class AuditController {

    static final Set<String> FILTERS = Set.of(
            "agent",
            "owner",
            "actor",
            "dataset",
            "tool",
            "action",
            "decision",
            "purpose",
            "from",
            "to",
            "before",
            "limit");

    /** One page of records, newest first; pass {@code next} as {@code before} for the following page. */
    @Schema(name = "AuditEventPage")
    record Page(List<RecordView> items, @Nullable Long next) {}

    private final AuditLog audit;
    private final AuditTrail trail;
    private final AuditVerifier verifier;
    private final AuditKeys keys;
    private final AuditExports exporter;

    AuditController(AuditLog audit, AuditTrail trail, AuditVerifier verifier, AuditKeys keys, AuditExports exporter) {
        this.audit = audit;
        this.trail = trail;
        this.verifier = verifier;
        this.keys = keys;
        this.exporter = exporter;
    }

    @Operation(operationId = "searchAuditEvents", summary = "Search the audit trail, newest first, one page at a time")
    @GetMapping("/events")
    Page events(@RequestParam Map<String, String> params) {
        for (String name : params.keySet()) {
            if (!FILTERS.contains(name)) {
                throw new AuditRequestInvalid(
                        name, "Unknown filter '" + name + "'; the filters are " + new TreeSet<>(FILTERS));
            }
        }
        Instant from = instant(params, "from");
        Instant to = instant(params, "to");
        if (from != null && to != null && from.isAfter(to)) {
            throw new AuditRequestInvalid("from", "The time range is inverted: from " + from + " is after to " + to);
        }
        int limit = (int) number(params, "limit", 50);
        if (limit < 1 || limit > 1000) {
            throw new AuditRequestInvalid("limit", "limit must be between 1 and 1000, got " + limit);
        }
        Long before = params.containsKey("before") ? number(params, "before", 0) : null;
        String decision = params.get("decision");
        if (decision != null && !decision.equals("PERMIT") && !decision.equals("DENY")) {
            throw new AuditRequestInvalid("decision", "decision is PERMIT or DENY, got '" + decision + "'");
        }
        List<AuditRecord> records = trail.search(new AuditQuery(
                params.get("agent"),
                params.get("owner"),
                params.get("actor"),
                params.get("dataset"),
                params.get("tool"),
                params.get("action"),
                decision,
                params.get("purpose"),
                from,
                to,
                before,
                limit));
        Long next = records.size() == limit ? records.getLast().sequence() : null;
        return new Page(records.stream().map(RecordView::of).toList(), next);
    }

    /**
     * Streams an export of records {@code from}..{@code to}, widened to the signed checkpoints around
     * them, as NDJSON, FHIR R4 (NDJSON or Bundle) or CSV. The export is recorded in the trail first: if it
     * cannot be recorded, nothing is exported.
     */
    @Operation(
            operationId = "exportAuditTrail",
            summary = "Export a range of the trail with its signed checkpoints (NDJSON, FHIR R4 or CSV)")
    @ApiResponse(
            responseCode = "200",
            description = "The export, streamed as an attachment in the format asked for",
            content = {
                @Content(mediaType = "application/x-ndjson", schema = @Schema(type = "string")),
                @Content(mediaType = "application/fhir+ndjson", schema = @Schema(type = "string")),
                @Content(mediaType = "application/fhir+json", schema = @Schema(type = "string")),
                @Content(mediaType = "text/csv", schema = @Schema(type = "string"))
            })
    @ApiResponse(responseCode = "503", ref = "ServiceUnavailable")
    @GetMapping("/exports")
    ResponseEntity<StreamingResponseBody> export(
            @RequestParam(required = false) @Nullable String format,
            @RequestParam(required = false) @Nullable Long from,
            @RequestParam(required = false) @Nullable Long to,
            Principal principal) {
        ExportFormat exportFormat = ExportFormat.of(String.valueOf(format))
                .orElseThrow(() -> new AuditRequestInvalid(
                        "format", "format must be one of ndjson, fhir-ndjson, fhir-bundle, csv; got '" + format + "'"));
        long[] range = range(from, to);
        audit.append(AuditEvent.builder(
                        "audit.exported",
                        AuditActor.person(principal.getName()),
                        new AuditTarget("audit-trail", range[0] + "-" + range[1]))
                .detail("format", exportFormat.parameter())
                .detail("from", range[0])
                .detail("to", range[1])
                .build());
        String file = "warden-audit-" + range[0] + "-" + range[1] + "."
                + (exportFormat == ExportFormat.CSV
                        ? "csv"
                        : exportFormat == ExportFormat.FHIR_BUNDLE ? "json" : "ndjson");
        StreamingResponseBody body = out -> exporter.export(exportFormat, range[0], range[1], out);
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(exportFormat.mediaType()))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + file + "\"")
                .body(body);
    }

    @Operation(operationId = "getAuditEvent", summary = "Read one audit record")
    @ApiResponse(responseCode = "200", description = "The record", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/events/{sequence}")
    RecordView event(@PathVariable long sequence) {
        return trail.find(sequence).map(RecordView::of).orElseThrow(() -> new RecordNotFound(sequence));
    }

    @Operation(operationId = "verifyAuditTrail", summary = "Verify the hash chain and signed checkpoints over a range")
    @GetMapping("/verify")
    Verification verify(
            @RequestParam(required = false) @Nullable Long from, @RequestParam(required = false) @Nullable Long to) {
        long[] range = range(from, to);
        return verifier.verify(range[0], range[1]);
    }

    /** The Ed25519 public keys of every checkpoint signer, as a JWK set (RFC 8037 OKP keys). */
    @Operation(operationId = "listAuditKeys", summary = "The public keys that verify the checkpoints, as a JWK set")
    @GetMapping("/keys")
    Map<String, Object> keys() {
        return Map.of("keys", keys.jwks());
    }

    /** A sequence range that is bounded, in order, and within the chain. */
    long[] range(@Nullable Long from, @Nullable Long to) {
        if (from == null || to == null) {
            throw new AuditRequestInvalid(
                    from == null ? "from" : "to",
                    "Give both from and to (sequence numbers); an unbounded range is not accepted");
        }
        if (from < 1) {
            throw new AuditRequestInvalid("from", "from starts at 1, got " + from);
        }
        if (from > to) {
            throw new AuditRequestInvalid("from", "The range is inverted: from " + from + " is after to " + to);
        }
        long head = trail.head();
        if (to > head) {
            throw new AuditRequestInvalid("to", "to " + to + " is beyond the head of the chain (" + head + ")");
        }
        return new long[] {from, to};
    }

    private static @Nullable Instant instant(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new AuditRequestInvalid(name, name + " must be an ISO-8601 instant such as 2026-11-28T10:00:00Z");
        }
    }

    private static long number(Map<String, String> params, String name, long fallback) {
        String value = params.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new AuditRequestInvalid(name, name + " must be a whole number, got '" + value + "'");
        }
    }
}
