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
    void refusesLoneSurrogatesAndUnsafeIntegers() {
        assertThatIllegalArgumentException().isThrownBy(() -> CanonicalJson.write("\ud800x")).withMessageContaining("surrogate");
        assertThatIllegalArgumentException().isThrownBy(() -> CanonicalJson.write("x\udc00")).withMessageContaining("surrogate");
        assertThatIllegalArgumentException().isThrownBy(() -> CanonicalJson.write(1L << 53)).withMessageContaining("I-JSON");
        assertThatIllegalArgumentException().isThrownBy(() -> CanonicalJson.write(1.5d));
        assertThat(CanonicalJson.write((1L << 53) - 1)).isEqualTo("9007199254740991");
        assertThat(CanonicalJson.write(-7L)).isEqualTo("-7");
    }
}
