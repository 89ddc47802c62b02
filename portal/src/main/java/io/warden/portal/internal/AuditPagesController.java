package io.warden.portal.internal;

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
import io.warden.registry.Actor;
import io.warden.registry.CatalogQueries;
import io.warden.registry.RegistryException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * The audit trail for compliance: search with the API's filters, read one record in full, verify a range (the result
 * said plainly), and download an export, which is itself recorded in the trail before anything is sent. People and
 * agents are shown by name, a delegated call as the agent on behalf of the person (see {@link AuditLines}).
 */
@Controller
@RequestMapping("/portal/audit")
class AuditPagesController {

    private final AuditLog audit;
    private final AuditTrail trail;
    private final AuditVerifier verifier;
    private final AuditKeys keys;
    private final AuditExports exports;
    private final AuditLines lines;
    private final CatalogQueries catalog;

    AuditPagesController(
            AuditLog audit,
            AuditTrail trail,
            AuditVerifier verifier,
            AuditExports exports,
            AuditKeys keys,
            AuditLines lines,
            CatalogQueries catalog) {
        this.catalog = catalog;
        this.audit = audit;
        this.trail = trail;
        this.verifier = verifier;
        this.keys = keys;
        this.exports = exports;
        this.lines = lines;
    }

    @GetMapping
    String search(
            Actor actor,
            Model model,
            @RequestParam(required = false) @Nullable String agent,
            @RequestParam(required = false) @Nullable String action,
            @RequestParam(required = false) @Nullable String decision,
            @RequestParam(required = false) @Nullable Long verifyFrom,
            @RequestParam(required = false) @Nullable Long verifyTo) {
        model.addAttribute("actor", actor);
        model.addAttribute("agent", blankToNull(agent));
        model.addAttribute("action", blankToNull(action));
        model.addAttribute("decision", blankToNull(decision));
        model.addAttribute(
                "lines",
                lines.of(trail.search(new AuditQuery(
                        blankToNull(agent),
                        null,
                        null,
                        null,
                        null,
                        blankToNull(action),
                        blankToNull(decision),
                        null,
                        null,
                        null,
                        null,
                        100))));
        model.addAttribute("head", trail.head());
        model.addAttribute("keys", keys.trusted());
        if (verifyFrom != null && verifyTo != null && verifyFrom >= 1 && verifyTo >= verifyFrom) {
            Verification verification = verifier.verify(verifyFrom, Math.min(verifyTo, trail.head()));
            model.addAttribute("verification", verification);
        }
        return "portal/audit";
    }

    /** One record in full, its people and agent by name; 404 for anything that is not a record's sequence number. */
    @GetMapping("/{sequence}")
    String record(Actor actor, Model model, @PathVariable String sequence) {
        AuditRecord record = sequence(sequence)
                .flatMap(trail::find)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No audit record " + sequence));
        model.addAttribute("actor", actor);
        AuditLines.Line line = lines.of(record);
        model.addAttribute("line", line);
        AuditEvent event = record.event();
        // the record keeps keys and ids; the page says what they name (the keys stay beside, to copy)
        model.addAttribute(
                "targetName",
                "agent".equals(event.target().type()) && event.target().id().equals(event.agentId())
                        ? line.agent()
                        : null);
        String tool = event.tool();
        String dataset = event.dataset();
        model.addAttribute(
                "toolTitle",
                tool == null ? null : title(() -> catalog.tool(tool).displayName()));
        model.addAttribute(
                "datasetTitle",
                dataset == null ? null : title(() -> catalog.dataScope(dataset).displayName()));
        Map<String, String> details = new TreeMap<>(record.event().details());
        details.keySet().removeAll(AuditLines.TOLD);
        // the decision input is for replay, not for reading: it names people and agents by id, and the record's own
        // lines already say who, what and why by name
        model.addAttribute("inputRecorded", details.remove("input") != null);
        model.addAttribute("details", details);
        return "portal/audit-record";
    }

    /** A catalogue entry's title; null when the record names one the catalogue no longer has (or never had). */
    private static @Nullable String title(Supplier<String> read) {
        try {
            return read.get();
        } catch (RegistryException e) {
            return null;
        }
    }

    private static Optional<Long> sequence(String text) {
        if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(text));
    }

    @GetMapping("/export")
    ResponseEntity<StreamingResponseBody> export(
            Actor actor, @RequestParam String format, @RequestParam long from, @RequestParam long to) {
        ExportFormat exportFormat =
                ExportFormat.of(format).orElseThrow(() -> new IllegalArgumentException("unknown format " + format));
        long last = Math.min(Math.max(from, to), trail.head());
        long first = Math.max(1, Math.min(from, last));
        audit.append(AuditEvent.builder(
                        "audit.exported",
                        AuditActor.person(actor.id()),
                        new AuditTarget("audit-trail", first + "-" + last))
                .detail("format", exportFormat.parameter())
                .detail("from", first)
                .detail("to", last)
                .detail("via", "portal")
                .build());
        String file = "warden-audit-" + first + "-" + last + (exportFormat == ExportFormat.CSV ? ".csv" : ".ndjson");
        StreamingResponseBody body = out -> exports.export(exportFormat, first, last, out);
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(exportFormat.mediaType()))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + file + "\"")
                .body(body);
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
