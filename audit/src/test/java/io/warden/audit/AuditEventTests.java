package io.warden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Detail values stay short, except a gateway decision's input, which is kept whole up to its own cap. */
class AuditEventTests {

    static AuditEvent.Builder decision() {
        return AuditEvent.builder("gateway.decision", AuditActor.agent("a", null), new AuditTarget("tool", "t"));
    }

    @Test
    void aDecisionInputMayBeLongerThanOtherDetailsButNotUnbounded() {
        assertThat(decision()
                        .detail("input", "x".repeat(5_000))
                        .build()
                        .details()
                        .get("input"))
                .hasSize(5_000);
        assertThatThrownBy(() -> decision().detail("note", "x".repeat(257)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("256");
        assertThatThrownBy(() -> decision().detail("input", "x".repeat(16_385)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16384");
    }
}
