package io.warden.audit.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Version 1 of the audit record's canonical form: the RFC 8785 JSON that is hashed into the chain.
 * Released; never edited. Absent optional members are omitted, so every record has one form.
 *
 * <pre>{"action":..,"actor":{"id":..,"owner":..,"type":..},"agent":..,"correlationId":..,"dataset":..,
 *  "decision":..,"details":{..},"latencyMicros":..,"outcome":..,"owner":..,"purpose":..,"reasons":[..],
 *  "requestDigest":..,"seq":..,"sourceId":..,"target":{"id":..,"type":..},"time":"..Z","tool":..,"v":1}</pre>
 */
final class RecordCodecV1 {

    public static final int VERSION = 1;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RecordCodecV1() {}

    public static byte[] canonical(long sequence, Instant time, AuditEvent event) {
        return canonicalText(sequence, time, event).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes the members directly in their RFC 8785 order (names sorted by UTF-16 code units): the same
     * bytes {@link CanonicalJson} produces for the record as a map, without building or sorting one.
     */
    public static String canonicalText(long sequence, Instant time, AuditEvent event) {
        return canonicalText(
                sequence,
                time,
                event.action(),
                event.sourceId(),
                event.actor().id(),
                event.actor().type().name(),
                event.actor().ownerId(),
                event.target().type(),
                event.target().id(),
                event.agentId(),
                event.ownerId(),
                event.dataset(),
                event.tool(),
                event.decision(),
                event.reasons().toArray(String[]::new),
                event.purposeOfUse(),
                event.requestDigest(),
                event.outcome().name(),
                event.latencyMicros(),
                event.correlationId(),
                event.details().keySet().toArray(String[]::new),
                event.details().values().toArray(String[]::new));
    }

    /**
     * The canonical form from stored values, as the verifier reads them: no event is built and nothing is
     * validated, since any value that differs from what was hashed fails the chain anyway. Details must be
     * given in key order.
     */
    public static String canonicalText(
            long sequence,
            Instant time,
            String action,
            @Nullable String sourceId,
            String actorId,
            String actorType,
            @Nullable String actorOwner,
            String targetType,
            String targetId,
            @Nullable String agentId,
            @Nullable String ownerId,
            @Nullable String dataset,
            @Nullable String tool,
            @Nullable String decision,
            String[] reasons,
            @Nullable String purpose,
            @Nullable String requestDigest,
            String outcome,
            @Nullable Long latencyMicros,
            @Nullable String correlationId,
            String[] detailKeys,
            String[] detailValues) {
        StringBuilder out = new StringBuilder(512);
        out.append("{\"action\":");
        CanonicalJson.string(action, out);
        out.append(",\"actor\":{\"id\":");
        CanonicalJson.string(actorId, out);
        if (actorOwner != null) {
            out.append(",\"owner\":");
            CanonicalJson.string(actorOwner, out);
        }
        out.append(",\"type\":");
        CanonicalJson.string(actorType, out);
        out.append('}');
        member(out, "agent", agentId);
        member(out, "correlationId", correlationId);
        member(out, "dataset", dataset);
        member(out, "decision", decision);
        out.append(",\"details\":{");
        for (int i = 0; i < detailKeys.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            CanonicalJson.string(detailKeys[i], out);
            out.append(':');
            CanonicalJson.string(i < detailValues.length ? detailValues[i] : "", out);
        }
        out.append('}');
        if (latencyMicros != null) {
            out.append(",\"latencyMicros\":");
            CanonicalJson.write(latencyMicros, out);
        }
        out.append(",\"outcome\":");
        CanonicalJson.string(outcome, out);
        member(out, "owner", ownerId);
        member(out, "purpose", purpose);
        out.append(",\"reasons\":[");
        for (int i = 0; i < reasons.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            CanonicalJson.string(reasons[i], out);
        }
        out.append(']');
        member(out, "requestDigest", requestDigest);
        out.append(",\"seq\":");
        CanonicalJson.write(sequence, out);
        member(out, "sourceId", sourceId);
        out.append(",\"target\":{\"id\":");
        CanonicalJson.string(targetId, out);
        out.append(",\"type\":");
        CanonicalJson.string(targetType, out);
        out.append("},\"time\":\"")
                .append(DateTimeFormatter.ISO_INSTANT.format(time))
                .append('"');
        member(out, "tool", tool);
        out.append(",\"v\":").append(VERSION).append('}');
        return out.toString();
    }

    private static void member(StringBuilder out, String name, @Nullable String value) {
        if (value != null) {
            out.append(",\"").append(name).append("\":");
            CanonicalJson.string(value, out);
        }
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
        return new Template(
                text.substring(0, seqValue).getBytes(StandardCharsets.UTF_8),
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
        json.path("details")
                .properties()
                .forEach(entry -> details.put(entry.getKey(), entry.getValue().asString()));
        AuditEvent event = new AuditEvent(
                json.path("action").asString(),
                optional(json, "sourceId"),
                new AuditActor(
                        actor.path("id").asString(),
                        AuditActor.Type.valueOf(actor.path("type").asString()),
                        optional(actor, "owner")),
                new AuditTarget(
                        target.path("type").asString(), target.path("id").asString()),
                optional(json, "agent"),
                optional(json, "owner"),
                optional(json, "dataset"),
                optional(json, "tool"),
                optional(json, "decision"),
                reasons,
                optional(json, "purpose"),
                optional(json, "requestDigest"),
                Outcome.valueOf(json.path("outcome").asString()),
                json.has("latencyMicros") ? json.get("latencyMicros").asLong() : null,
                optional(json, "correlationId"),
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
}
