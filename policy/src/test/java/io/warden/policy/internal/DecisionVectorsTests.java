package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.policy.Decision;
import io.warden.policy.PolicyDecisionPoint;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shared decision vectors ({@code decisions.json}: input → allow, reasons, obligations) against the
 * embedded decision point. The Rego tests run the same file against the OPA bundle, so the two policies
 * cannot drift apart.
 */
class DecisionVectorsTests {

    static JsonNode vectors() throws Exception {
        return JsonMapper.builder()
                .build()
                .readTree(DecisionVectorsTests.class.getClassLoader().getResourceAsStream("decisions.json"));
    }

    static List<DynamicTest> run(PolicyDecisionPoint decisionPoint) throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode cases = vectors().get("cases");
        assertThat(cases.size()).isGreaterThanOrEqualTo(88);
        for (JsonNode vector : cases) {
            tests.add(DynamicTest.dynamicTest(vector.get("name").asString(), () -> {
                Decision decision = decisionPoint.decide(DecisionJson.input(vector.get("input")));
                Decision expected = DecisionJson.decision(vector.get("expected"), null);
                assertThat(decision.allow()).as("allow").isEqualTo(expected.allow());
                assertThat(decision.reasons()).as("reasons").containsExactlyElementsOf(expected.reasons());
                if (expected.allow()) {
                    assertThat(decision.obligations()).as("obligations").isEqualTo(expected.obligations());
                }
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> embeddedDecisionPoint() throws Exception {
        return run(new EmbeddedPolicyDecisionPoint());
    }

    @Test
    void aDecisionWithAnObligationTheGatewayCannotEnforceIsNotAccepted() throws Exception {
        JsonNode unknown = JsonMapper.builder().build().readTree("""
                {"allow":true,"reasons":[],"obligations":{"maxK":5,"datasets":["a"],"redactFields":[],
                 "deidentificationRequired":false,"watermark":true}}""");
        Assertions.assertThatThrownBy(() -> DecisionJson.decision(unknown, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("watermark");
    }
}
