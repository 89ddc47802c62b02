package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.registry.PurposeOfUse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The input a decision record keeps: read back, it is decided as the call was. */
class RecordedInputTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    final EmbeddedPolicyDecisionPoint decisionPoint = new EmbeddedPolicyDecisionPoint();

    @TestFactory
    List<DynamicTest> everyDecisionVectorIsDecidedAlikeFromItsRecordedInput() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode vector : DecisionVectorsTests.vectors().get("cases")) {
            tests.add(DynamicTest.dynamicTest(vector.get("name").asString(), () -> {
                DecisionInput input = DecisionJson.input(vector.get("input"));
                String recorded = DecisionJson.recorded(input);
                JsonNode parsed = JSON.readTree(recorded);
                assertThat(parsed.has("time"))
                        .as("the record's own time is the decision's")
                        .isFalse();
                DecisionInput back = DecisionJson.input(parsed, input.time());
                assertThat(DecisionJson.recorded(back)).as("canonical").isEqualTo(recorded);
                Decision original = decisionPoint.decide(input);
                Decision replayed = decisionPoint.decide(back);
                assertThat(replayed.allow()).isEqualTo(original.allow());
                assertThat(replayed.reasons()).isEqualTo(original.reasons());
                assertThat(replayed.obligations()).isEqualTo(original.obligations());
            }));
        }
        return tests;
    }

    @Test
    void keepsOnlyTheCallsScopeOfThePersonsEntitlementsAndNoJustificationText() throws Exception {
        JsonNode vector = DecisionVectorsTests.vectors().get("cases").get(0);
        DecisionInput input = DecisionJson.input(vector.get("input"));
        String scope = input.dataset().key();
        DecisionInput withPerson = new DecisionInput(
                input.agent(),
                input.tool(),
                input.dataset(),
                input.purposeOfUse(),
                new DecisionInput.Request(3, "patient in resus, chart unavailable", false),
                input.killSwitches(),
                input.time(),
                new DecisionInput.Person(
                        "p-1",
                        Map.of(scope, Set.of(PurposeOfUse.TREAT), "other-scope", Set.of(PurposeOfUse.HRESCH)),
                        false));
        String recorded = DecisionJson.recorded(withPerson);
        assertThat(recorded).doesNotContain("other-scope").doesNotContain("resus");
        JsonNode json = JSON.readTree(recorded);
        assertThat(json.get("person").get("entitlements").propertyNames()).containsExactly(scope);
        assertThat(json.get("request").get("justification").asString()).isEqualTo(DecisionJson.JUSTIFIED);
    }

    @Test
    void aRecordedInputNeedsTheDecisionsTime() throws Exception {
        JsonNode vector = DecisionVectorsTests.vectors().get("cases").get(0);
        JsonNode recorded = JSON.readTree(DecisionJson.recorded(DecisionJson.input(vector.get("input"))));
        assertThatThrownBy(() -> DecisionJson.input(recorded)).isInstanceOf(IllegalArgumentException.class);
        Instant at = Instant.parse("2026-01-02T03:04:05Z");
        assertThat(DecisionJson.input(recorded, at).time()).isEqualTo(at);
    }
}
