package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
                .isEqualTo("{\"\\r\":\"cr\",\"1\":null,\"z\":{\"a\":[true,false],\"b\":1},\"\u20ac\":\"euro\",\"\ud83d\ude00\":\"emoji\"}");
    }

    @Test
    void escapesLikeJsonStringify() {
        assertThat(CanonicalJson.write("\"\\\b\f\n\r\t\u0001\u001f/\u007f\u2028é"))
                .isEqualTo("\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f/\u007f\u2028é\"");
    }

    @Test
    void aRecordTemplateFillsToExactlyTheCanonicalForm() {
        for (int i = 0; i < 50; i++) {
            var event = PostgresAuditLogTests.event(i);
            var time = java.time.Instant.parse("2026-11-28T10:00:00.123456Z").plusSeconds(i * 7919L);
            assertThat(new String(RecordCodecV1.template(event).fill(i * 1_000_003L, time), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(RecordCodecV1.canonicalText(i * 1_000_003L, time, event));
        }
        var awkward = io.warden.audit.AuditEvent.builder("agent.registered",
                io.warden.audit.AuditActor.person("\"seq\":4503599627370489"), new io.warden.audit.AuditTarget("agent", "\"time\":\"x"))
                .build();
        var time = java.time.Instant.EPOCH;
        assertThat(new String(RecordCodecV1.template(awkward).fill(4503599627370489L, time), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(RecordCodecV1.canonicalText(4503599627370489L, time, awkward));
    }

    @Test
    void refusesLoneSurrogatesAndUnsafeIntegers() {
        assertThatIllegalArgumentException().isThrownBy(() -> CanonicalJson.write("\ud800x")).withMessageContaining("surrogate");
        assertThatIllegalArgumentException().isThrownBy(() -> CanonicalJson.write("x\udc00")).withMessageContaining("surrogate");
        assertThatIllegalArgumentException().isThrownBy(() -> CanonicalJson.write(1L << 53)).withMessageContaining("I-JSON");
        assertThatIllegalArgumentException().isThrownBy(() -> CanonicalJson.write(1.5d));
        assertThat(CanonicalJson.write((1L << 53) - 1)).isEqualTo("9007199254740991");
        assertThat(CanonicalJson.write(-7L)).isEqualTo("-7");
    }
}
