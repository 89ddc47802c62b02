package io.warden.audit.internal.siem;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import io.warden.audit.Outcome;
import io.warden.audit.internal.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a SIEM receives for one record, in each wire form: the record's own fields only (the trail holds no payloads,
 * so neither does a message), always with its sequence number so that a receiver can drop repeats and see gaps.
 * Stateless and thread-safe.
 */
final class SiemMessages {

    /** RFC 5424 §7.2.2 leaves PEN-based SD-IDs to their owners; 32473 is the PEN RFC 5612 reserves for examples. */
    static final String SD_ID = "warden@32473";

    /** LOG_AUDIT (13) in the RFC 5424 facility table. */
    private static final int FACILITY_AUDIT = 13;

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private SiemMessages() {}

    /** The record as a JSON object (RFC 8785 canonical form, absent fields left out). */
    static Map<String, Object> fields(AuditRecord record) {
        AuditEvent event = record.event();
        Map<String, Object> fields = new TreeMap<>();
        fields.put("sequence", record.sequence());
        fields.put("time", record.time().toString());
        fields.put("schemaVersion", record.schemaVersion());
        fields.put("hash", record.hashHex());
        fields.put("action", event.action());
        Map<String, Object> actor = new TreeMap<>();
        actor.put("id", event.actor().id());
        actor.put("type", event.actor().type().name());
        put(actor, "owner", event.actor().ownerId());
        fields.put("actor", actor);
        fields.put(
                "target",
                Map.of("type", event.target().type(), "id", event.target().id()));
        put(fields, "sourceId", event.sourceId());
        put(fields, "agent", event.agentId());
        put(fields, "owner", event.ownerId());
        put(fields, "dataset", event.dataset());
        put(fields, "tool", event.tool());
        put(fields, "decision", event.decision());
        fields.put("reasons", event.reasons());
        put(fields, "purposeOfUse", event.purposeOfUse());
        put(fields, "requestDigest", event.requestDigest());
        fields.put("outcome", event.outcome().name());
        put(fields, "latencyMicros", event.latencyMicros());
        put(fields, "correlationId", event.correlationId());
        fields.put("details", event.details());
        return fields;
    }

    static String json(AuditRecord record) {
        return CanonicalJson.write(fields(record));
    }

    /** RFC 5424 severity: a denial or a failure is a notice or a warning; the rest is informational. */
    static int syslogSeverity(AuditEvent event) {
        if (event.outcome() != Outcome.SUCCESS) {
            return 4;
        }
        return "DENY".equals(event.decision()) ? 5 : 6;
    }

    /** CEF severity 0-10 with the same ordering as {@link #syslogSeverity}. */
    static int cefSeverity(AuditEvent event) {
        if (event.outcome() != Outcome.SUCCESS) {
            return 7;
        }
        return "DENY".equals(event.decision()) ? 5 : 3;
    }

    /**
     * One RFC 5424 message framed for TCP by octet counting (RFC 6587 §3.4.1): {@code LEN SP SYSLOG-MSG}. The
     * sequence number is in the structured data, so a receiver finds it without parsing the payload.
     */
    static byte[] syslogFrame(AuditRecord record, SiemProperties.Format format, String hostname) {
        AuditEvent event = record.event();
        String payload = format == SiemProperties.Format.CEF ? cef(record) : json(record);
        String header = "<" + (FACILITY_AUDIT * 8 + syslogSeverity(event)) + ">1 " + RFC3339.format(record.time())
                + " " + hostname + " warden - " + msgId(event.action()) + " [" + SD_ID + " seq=\""
                + record.sequence() + "\"] ";
        byte[] head = header.getBytes(StandardCharsets.US_ASCII);
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        int length = head.length + BOM.length + body.length;
        byte[] prefix = (length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[prefix.length + length];
        System.arraycopy(prefix, 0, frame, 0, prefix.length);
        System.arraycopy(head, 0, frame, prefix.length, head.length);
        System.arraycopy(BOM, 0, frame, prefix.length + head.length, BOM.length);
        System.arraycopy(body, 0, frame, prefix.length + head.length + BOM.length, body.length);
        return frame;
    }

    /** MSGID is at most 32 printable US-ASCII characters (RFC 5424 §6.2.7); actions are dotted ASCII words. */
    private static String msgId(String action) {
        return action.length() <= 32 ? action : action.substring(0, 32);
    }

    /**
     * The record as one ArcSight CEF:0 line. Header fields escape {@code \} and {@code |}; extension values escape
     * {@code \}, {@code =} and line breaks (as {@code \n}, {@code \r}), as the CEF specification says. Keys are the
     * dictionary's where one fits, custom ones prefixed {@code warden}.
     */
    static String cef(AuditRecord record) {
        AuditEvent event = record.event();
        StringBuilder line = new StringBuilder(512);
        line.append("CEF:0|Warden|Warden|1|")
                .append(header(event.action()))
                .append('|')
                .append(header(event.action() + (event.decision() == null ? "" : " " + event.decision())))
                .append('|')
                .append(cefSeverity(event))
                .append('|');
        Map<String, @Nullable Object> ext = new LinkedHashMap<>();
        ext.put("externalId", record.sequence());
        ext.put("rt", record.time().toEpochMilli());
        ext.put("act", event.action());
        ext.put("suser", event.actor().id());
        ext.put("cs1Label", "actorType");
        ext.put("cs1", event.actor().type().name());
        ext.put("cs2Label", "agent");
        ext.put("cs2", event.agentId());
        ext.put("cs3Label", "decision");
        ext.put("cs3", event.decision());
        ext.put("cs4Label", "reasons");
        ext.put("cs4", String.join(",", event.reasons()));
        ext.put("cs5Label", "dataset");
        ext.put("cs5", event.dataset());
        ext.put("cs6Label", "tool");
        ext.put("cs6", event.tool());
        ext.put("outcome", event.outcome().name());
        ext.put("wardenTargetType", event.target().type());
        ext.put("wardenTargetId", event.target().id());
        ext.put("wardenActorOwner", event.actor().ownerId());
        ext.put("wardenOwner", event.ownerId());
        ext.put("wardenPurposeOfUse", event.purposeOfUse());
        ext.put("wardenRequestDigest", event.requestDigest());
        ext.put("wardenLatencyMicros", event.latencyMicros());
        ext.put("wardenCorrelationId", event.correlationId());
        ext.put("wardenSourceId", event.sourceId());
        ext.put("wardenHash", record.hashHex());
        if (!event.details().isEmpty()) {
            ext.put("wardenDetails", CanonicalJson.write(event.details()));
        }
        boolean first = true;
        for (var entry : ext.entrySet()) {
            if (entry.getValue() == null) {
                continue;
            }
            if (!first) {
                line.append(' ');
            }
            first = false;
            line.append(entry.getKey())
                    .append('=')
                    .append(extension(entry.getValue().toString()));
        }
        return line.toString();
    }

    /** CEF header field: backslash and pipe escaped; a line break would end the event, so it becomes a space. */
    static String header(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '|' -> out.append("\\|");
                case '\n', '\r' -> out.append(' ');
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** CEF extension value: backslash and equals escaped, line breaks written as {@code \n} and {@code \r}. */
    static String extension(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '=' -> out.append("\\=");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * An OTLP/HTTP {@code ExportLogsServiceRequest} in the JSON encoding: one resource ({@code service.name=warden}),
     * one scope, a log record per audit record whose attributes are the record's fields and whose body is its action.
     */
    static String otlp(List<AuditRecord> records) {
        List<Object> logRecords = new ArrayList<>(records.size());
        for (AuditRecord record : records) {
            AuditEvent event = record.event();
            List<Object> attributes = new ArrayList<>();
            attribute(attributes, "sequence", record.sequence());
            attribute(attributes, "action", event.action());
            attribute(attributes, "actor", event.actor().id());
            attribute(attributes, "actor.type", event.actor().type().name());
            attribute(attributes, "actor.owner", event.actor().ownerId());
            attribute(attributes, "target.type", event.target().type());
            attribute(attributes, "target.id", event.target().id());
            attribute(attributes, "agent", event.agentId());
            attribute(attributes, "owner", event.ownerId());
            attribute(attributes, "dataset", event.dataset());
            attribute(attributes, "tool", event.tool());
            attribute(attributes, "decision", event.decision());
            attribute(attributes, "reasons", event.reasons());
            attribute(attributes, "purpose_of_use", event.purposeOfUse());
            attribute(attributes, "request_digest", event.requestDigest());
            attribute(attributes, "outcome", event.outcome().name());
            attribute(attributes, "latency_micros", event.latencyMicros());
            attribute(attributes, "correlation_id", event.correlationId());
            attribute(attributes, "source_id", event.sourceId());
            attribute(attributes, "hash", record.hashHex());
            for (var detail : event.details().entrySet()) {
                attribute(attributes, "detail." + detail.getKey(), detail.getValue());
            }
            int severity = syslogSeverity(event);
            Map<String, Object> log = new TreeMap<>();
            String nanos = Long.toString(record.time().getEpochSecond() * 1_000_000_000L
                    + record.time().getNano());
            log.put("timeUnixNano", nanos);
            log.put("observedTimeUnixNano", nanos);
            // OTLP severity numbers: INFO 9, INFO2 10 (a denial), WARN 13 (a failed action)
            log.put("severityNumber", severity == 6 ? 9 : severity == 5 ? 10 : 13);
            log.put("severityText", severity == 6 ? "INFO" : severity == 5 ? "INFO2" : "WARN");
            log.put("body", Map.of("stringValue", event.action()));
            log.put("attributes", attributes);
            logRecords.add(log);
        }
        List<Object> resourceAttributes = new ArrayList<>();
        attribute(resourceAttributes, "service.name", "warden");
        Map<String, Object> scopeLogs = Map.of("scope", Map.of("name", "io.warden.audit"), "logRecords", logRecords);
        Map<String, Object> resourceLogs =
                Map.of("resource", Map.of("attributes", resourceAttributes), "scopeLogs", List.of(scopeLogs));
        return CanonicalJson.write(Map.of("resourceLogs", List.of(resourceLogs)));
    }

    private static void attribute(List<Object> attributes, String key, @Nullable Object value) {
        Map<String, Object> any = switch (value) {
            case null -> null;
            // OTLP's JSON encoding writes 64-bit integers as strings
            case Long number -> Map.of("intValue", number.toString());
            case List<?> list ->
                Map.of(
                        "arrayValue",
                        Map.of(
                                "values",
                                list.stream()
                                        .map(each -> Map.of("stringValue", each.toString()))
                                        .toList()));
            default -> Map.of("stringValue", value.toString());
        };
        if (any != null) {
            attributes.add(Map.of("key", key, "value", any));
        }
    }

    private static void put(Map<String, Object> fields, String name, @Nullable Object value) {
        if (value != null) {
            fields.put(name, value);
        }
    }

    /** A webhook body: the records, in order, with the range they cover. */
    static String webhook(List<AuditRecord> records) {
        Map<String, Object> body = new TreeMap<>();
        body.put("firstSequence", records.getFirst().sequence());
        body.put("lastSequence", records.getLast().sequence());
        body.put("records", records.stream().map(SiemMessages::fields).toList());
        return CanonicalJson.write(body);
    }
}
