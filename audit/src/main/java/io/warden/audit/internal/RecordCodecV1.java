package io.warden.audit.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Version 1 of the audit record's canonical form: the RFC 8785 JSON that is hashed into the chain.
 * Released; never edited. Absent optional members are omitted, so every record has one form.
 *
 * <pre>{"action":..,"actor":{"id":..,"owner":..,"type":..},"agent":..,"correlationId":..,"dataset":..,
 *  "decision":..,"details":{..},"latencyMicros":..,"outcome":..,"owner":..,"purpose":..,"reasons":[..],
 *  "requestDigest":..,"seq":..,"sourceId":..,"target":{"id":..,"type":..},"time":"..Z","tool":..,"v":1}</pre>
 */
public final class RecordCodecV1 {

    public static final int VERSION = 1;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RecordCodecV1() {
    }

    public static byte[] canonical(long sequence, Instant time, AuditEvent event) {
        return canonicalText(sequence, time, event).getBytes(StandardCharsets.UTF_8);
    }

    public static String canonicalText(long sequence, Instant time, AuditEvent event) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("v", (long) VERSION);
        json.put("seq", sequence);
        json.put("time", DateTimeFormatter.ISO_INSTANT.format(time));
        json.put("action", event.action());
        put(json, "sourceId", event.sourceId());
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("id", event.actor().id());
        actor.put("type", event.actor().type().name());
        put(actor, "owner", event.actor().ownerId());
        json.put("actor", actor);
        json.put("target", Map.of("type", event.target().type(), "id", event.target().id()));
        put(json, "agent", event.agentId());
        put(json, "owner", event.ownerId());
        put(json, "dataset", event.dataset());
        put(json, "tool", event.tool());
        put(json, "decision", event.decision());
        json.put("reasons", event.reasons());
        put(json, "purpose", event.purposeOfUse());
        put(json, "requestDigest", event.requestDigest());
        json.put("outcome", event.outcome().name());
        put(json, "latencyMicros", event.latencyMicros());
        put(json, "correlationId", event.correlationId());
        json.put("details", event.details());
        return CanonicalJson.write(json);
    }

    private static final long SEQ_MARK = (1L << 52) - 7;
    private static final String SEQ_TOKEN = "\"seq\":" + SEQ_MARK;
    private static final String TIME_TOKEN = "\"time\":\"" + DateTimeFormatter.ISO_INSTANT.format(Instant.EPOCH) + "\"";

    /**
     * The canonical form of an event with its sequence number and time left open, so that the costly
     * part can be prepared on the appending thread and the writer only fills in the two numbers.
     */
    public record Template(byte[] head, byte[] middle, byte[] tail) {

        public byte[] fill(long sequence, Instant time) {
            byte[] seq = Long.toString(sequence).getBytes(StandardCharsets.US_ASCII);
            byte[] at = DateTimeFormatter.ISO_INSTANT.format(time).getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[head.length + seq.length + middle.length + at.length + tail.length];
            int i = 0;
            System.arraycopy(head, 0, out, i, head.length);
            i += head.length;
            System.arraycopy(seq, 0, out, i, seq.length);
            i += seq.length;
            System.arraycopy(middle, 0, out, i, middle.length);
            i += middle.length;
            System.arraycopy(at, 0, out, i, at.length);
            i += at.length;
            System.arraycopy(tail, 0, out, i, tail.length);
            return out;
        }
    }

    public static Template template(AuditEvent event) {
        String text = canonicalText(SEQ_MARK, Instant.EPOCH, event);
        int seq = text.indexOf(SEQ_TOKEN);
        int time = text.indexOf(TIME_TOKEN);
        if (seq < 0 || time < seq || text.indexOf(SEQ_TOKEN, seq + 1) >= 0 || text.indexOf(TIME_TOKEN, time + 1) >= 0) {
            throw new IllegalStateException("version 1 places seq before time, each once");
        }
        int seqValue = seq + SEQ_TOKEN.length() - Long.toString(SEQ_MARK).length();
        int timeValue = time + "\"time\":\"".length();
        return new Template(text.substring(0, seqValue).getBytes(StandardCharsets.UTF_8),
                text.substring(seq + SEQ_TOKEN.length(), timeValue).getBytes(StandardCharsets.UTF_8),
                text.substring(time + TIME_TOKEN.length() - 1).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a version 1 canonical form back into its record (without the hash). The text must be exactly
     * canonical: anything that would not re-encode to the same bytes is refused.
     *
     * @throws IllegalArgumentException when it is not a canonical version 1 record
     */
    public static AuditRecord parse(String canonical, byte[] hash) {
        JsonNode json;
        try {
            json = JSON.readTree(canonical);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the canonical form is not JSON");
        }
        if (json == null || !json.isObject() || json.path("v").asLong(-1) != VERSION) {
            throw new IllegalArgumentException("not a version 1 audit record");
        }
        JsonNode actor = json.path("actor");
        JsonNode target = json.path("target");
        List<String> reasons = new ArrayList<>();
        json.path("reasons").forEach(reason -> reasons.add(reason.asString()));
        TreeMap<String, String> details = new TreeMap<>();
        json.path("details").properties().forEach(entry -> details.put(entry.getKey(), entry.getValue().asString()));
        AuditEvent event = new AuditEvent(json.path("action").asString(), optional(json, "sourceId"),
                new AuditActor(actor.path("id").asString(), AuditActor.Type.valueOf(actor.path("type").asString()),
                        optional(actor, "owner")),
                new AuditTarget(target.path("type").asString(), target.path("id").asString()), optional(json, "agent"),
                optional(json, "owner"), optional(json, "dataset"), optional(json, "tool"), optional(json, "decision"),
                reasons, optional(json, "purpose"), optional(json, "requestDigest"),
                Outcome.valueOf(json.path("outcome").asString()),
                json.has("latencyMicros") ? json.get("latencyMicros").asLong() : null, optional(json, "correlationId"),
                details);
        long sequence = json.path("seq").asLong();
        Instant time = Instant.parse(json.path("time").asString());
        if (!canonicalText(sequence, time, event).equals(canonical)) {
            throw new IllegalArgumentException("the record is not in canonical form");
        }
        return new AuditRecord(sequence, time, VERSION, event, hash);
    }

    private static @Nullable String optional(JsonNode json, String name) {
        JsonNode value = json.get(name);
        return value == null ? null : value.asString();
    }

    private static void put(Map<String, Object> json, String name, @Nullable Object value) {
        if (value != null) {
            json.put(name, value);
        }
    }

}
