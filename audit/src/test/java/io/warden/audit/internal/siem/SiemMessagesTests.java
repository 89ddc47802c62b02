package io.warden.audit.internal.siem;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The wire forms: CEF escaping as the ArcSight specification says, RFC 6587 octet counting, RFC 5424 headers. */
class SiemMessagesTests {

    static AuditRecord record(String action, String targetId) {
        AuditEvent event = AuditEvent.builder(action, AuditActor.person("p|1=x"), new AuditTarget("agent", targetId))
                .detail("to", "A=B\\C\nD")
                .build();
        return new AuditRecord(42, Instant.parse("2026-12-07T10:15:30.123456Z"), 1, event, new byte[32]);
    }

    @Test
    void cefHeaderEscapesBackslashAndPipeAndNeverBreaksTheLine() {
        assertThat(SiemMessages.header("a|b\\c\nd")).isEqualTo("a\\|b\\\\c d");
    }

    @Test
    void cefExtensionEscapesBackslashEqualsAndLineBreaksButNotPipes() {
        assertThat(SiemMessages.extension("a=b\\c\nd\re|f")).isEqualTo("a\\=b\\\\c\\nd\\re|f");
    }

    @Test
    void cefLineEscapesHostileValuesInTheExtension() {
        String cef = SiemMessages.cef(record("agent.registered", "t=1 cs1=forged"));
        assertThat(cef).startsWith("CEF:0|Warden|Warden|1|agent.registered|agent.registered|3|externalId=42 rt=");
        assertThat(cef).contains(" suser=p|1\\=x ");
        assertThat(cef).contains(" wardenTargetId=t\\=1 cs1\\=forged ");
        assertThat(cef).doesNotContain("\n");
    }

    @Test
    void syslogFrameCountsTheOctetsOfTheWholeMessage() {
        byte[] frame =
                SiemMessages.syslogFrame(record("agent.registered", "agent-é"), SiemProperties.Format.JSON, "warden-1");
        String text = new String(frame, StandardCharsets.UTF_8);
        int space = text.indexOf(' ');
        int length = Integer.parseInt(text.substring(0, space));
        byte[] message = Arrays.copyOfRange(frame, space + 1, frame.length);
        assertThat(message).hasSize(length);
        assertThat(new String(message, StandardCharsets.UTF_8))
                .startsWith("<110>1 2026-12-07T10:15:30.123456Z warden-1 warden - agent.registered "
                        + "[warden@32473 seq=\"42\"] \uFEFF{")
                .contains("\"sequence\":42")
                .contains("\"id\":\"agent-é\"");
    }
}
