package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditTarget;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** RFC 8785 canonical JSON for the values audit records hold. */
class CanonicalJsonTests {

    @Test
    void sortsMembersByUtf16CodeUnitsRecursively() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("b", 1L);
        inner.put("a", List.of(true, false));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("z", inner);
        json.put("\u20ac", "euro");
        json.put("\r", "cr");
        json.put("\ud83d\ude00", "emoji");
        json.put("1", null);
        // RFC 8785 §3.2.3: "\r" (U+000D) < "1" < "z" < "\u20ac" < "\ud83d\ude00" (surrogates sort as code units)
        assertThat(CanonicalJson.write(json))
                .isEqualTo(
                        "{\"\\r\":\"cr\",\"1\":null,\"z\":{\"a\":[true,false],\"b\":1},\"\u20ac\":\"euro\",\"\ud83d\ude00\":\"emoji\"}");
    }

    @Test
    void escapesLikeJsonStringify() {
        assertThat(CanonicalJson.write("\"\\\b\f\n\r\t\u0001\u001f/\u007f\u2028é"))
                .isEqualTo("\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f/\u007f\u2028é\"");
    }

    @Test
    void theRecordWriterMatchesTheGenericCanonicalForm() {
        for (int i = 0; i < 200; i++) {
            var event = PostgresAuditLogTests.event(i);
            var builder = AuditEvent.builder(
                            event.action(),
                            i % 2 == 0
                                    ? event.actor()
                                    : AuditActor.agent("a\u00e9\"\n" + i, i % 3 == 0 ? null : "o" + i),
                            event.target())
                    .sourceId(i % 4 == 0 ? null : "s" + i)
                    .agent(i % 5 == 0 ? null : event.agentId())
                    .latencyMicros(i % 6 == 0 ? null : (long) i)
                    .detail("z", i)
                    .detail("A", "\u20ac")
                    .reason("R" + i);
            var varied = builder.build();
            var time = Instant.parse("2026-11-28T10:00:00Z").plusNanos(i * 1000L);
            assertThat(RecordCodecV1.canonicalText(i, time, varied)).isEqualTo(generic(i, time, varied));
            assertThat(RecordCodecV1.canonicalText(i, time, event)).isEqualTo(generic(i, time, event));
        }
    }

    /** The record as a plain map, canonicalised by the general RFC 8785 writer: the reference. */
    private static String generic(long sequence, Instant time, AuditEvent event) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("v", 1L);
        json.put("seq", sequence);
        json.put("time", DateTimeFormatter.ISO_INSTANT.format(time));
        json.put("action", event.action());
        json.put("sourceId", event.sourceId());
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("id", event.actor().id());
        actor.put("type", event.actor().type().name());
        actor.put("owner", event.actor().ownerId());
        actor.values().removeIf(Objects::isNull);
        json.put("actor", actor);
        json.put(
                "target",
                Map.of("type", event.target().type(), "id", event.target().id()));
        json.put("agent", event.agentId());
        json.put("owner", event.ownerId());
        json.put("dataset", event.dataset());
        json.put("tool", event.tool());
        json.put("decision", event.decision());
        json.put("reasons", event.reasons());
        json.put("purpose", event.purposeOfUse());
        json.put("requestDigest", event.requestDigest());
        json.put("outcome", event.outcome().name());
        json.put("latencyMicros", event.latencyMicros());
        json.put("correlationId", event.correlationId());
        json.put("details", event.details());
        json.values().removeIf(Objects::isNull);
        return CanonicalJson.write(json);
    }

    @Test
    void aRecordTemplateFillsToExactlyTheCanonicalForm() {
        for (int i = 0; i < 50; i++) {
            var event = PostgresAuditLogTests.event(i);
            var time = Instant.parse("2026-11-28T10:00:00.123456Z").plusSeconds(i * 7919L);
            assertThat(new String(RecordCodecV1.template(event).fill(i * 1_000_003L, time), StandardCharsets.UTF_8))
                    .isEqualTo(RecordCodecV1.canonicalText(i * 1_000_003L, time, event));
        }
        var awkward = AuditEvent.builder(
                        "agent.registered",
                        AuditActor.person("\"seq\":4503599627370489"),
                        new AuditTarget("agent", "\"time\":\"x"))
                .build();
        var time = Instant.EPOCH;
        assertThat(new String(RecordCodecV1.template(awkward).fill(4503599627370489L, time), StandardCharsets.UTF_8))
                .isEqualTo(RecordCodecV1.canonicalText(4503599627370489L, time, awkward));
    }

    @Test
    void refusesLoneSurrogatesAndUnsafeIntegers() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CanonicalJson.write("\ud800x"))
                .withMessageContaining("surrogate");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CanonicalJson.write("x\udc00"))
                .withMessageContaining("surrogate");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CanonicalJson.write(1L << 53))
                .withMessageContaining("I-JSON");
        assertThatIllegalArgumentException().isThrownBy(() -> CanonicalJson.write(1.5d));
        assertThat(CanonicalJson.write((1L << 53) - 1)).isEqualTo("9007199254740991");
        assertThat(CanonicalJson.write(-7L)).isEqualTo("-7");
    }

    @Test
    void anyJsonValueWritesNumbersAsEcmaScriptDoes() {
        // RFC 8785 appendix B's examples
        assertThat(CanonicalJson.writeAny(List.of(1.5d, 1e21, 1e-7, 0.000001, 100d, -0.0d, 333333333.3333333d)))
                .isEqualTo("[1.5,1e+21,1e-7,0.000001,100,0,333333333.3333333]");
        assertThat(CanonicalJson.writeAny(Map.of("b", 9007199254740993L, "a", 4.5e-320d)))
                .isEqualTo("{\"a\":4.5e-320,\"b\":9007199254740992}");
        assertThatIllegalArgumentException().isThrownBy(() -> CanonicalJson.writeAny(Double.NaN));
    }
}
