package io.warden.specialist;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** What a person reads: the RAG verdict beside the vote, and a refusal with Warden's reason codes and no label. */
class OutcomeTests {

    private static Outcome.Answered answered(Outcome.@Nullable RagVerdict rag) {
        return new Outcome.Answered(
                "trace-1",
                "\"air around the lung\"",
                "text-search",
                "radiology-reports-deid",
                "TREAT",
                "demo-radiology-findings",
                List.of(new Outcome.Case("rf-020", 0.82, "pneumothorax"), new Outcome.Case("rf-031", 0.8, null)),
                "pneumothorax",
                List.of(new Outcome.Vote("pneumothorax", 4), new Outcome.Vote("pleural-effusion", 1)),
                1,
                rag,
                List.of("text-search", "classify", "rag-classify"));
    }

    @Test
    void anAnswerWithARagVerdictNamesTheModelItsLabelTheCasesItCitedAndItsReason() {
        String printed = answered(new Outcome.RagVerdict(
                        "report-vlm",
                        "pleural-effusion",
                        "Fluid, as in the cited case.",
                        List.of(new Outcome.Case("rf-031", 0.8, "pleural-effusion"))))
                .render();

        assertThat(printed)
                .contains("Likely finding: pneumothorax (k-NN vote: 4 of 5 on demo-radiology-findings version 1)")
                .contains("RAG classification (rag-classify asking report-vlm): pleural-effusion (disagrees with the"
                        + " vote)\n  cited: rf-031 pleural-effusion\n  reason: Fluid, as in the cited case.\n")
                .contains("holds each call: text-search, classify, rag-classify");
    }

    @Test
    void anAnswerWithoutARagStepSaysNothingOfOne() {
        assertThat(answered(null).render()).doesNotContain("RAG classification");
    }

    @Test
    void aRefusalCarriesWardensReasonsAndExitsThree() {
        Outcome.Refused refused = new Outcome.Refused(
                "trace-2",
                "rag-classify",
                "rag-classify",
                List.of("KILL_SWITCH"),
                "Refused by Warden (KILL_SWITCH): A kill switch stops this call",
                List.of("text-search", "classify", "rag-classify"));

        assertThat(refused.exitCode()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.render())
                .startsWith("REFUSED at step rag-classify (tool rag-classify): KILL_SWITCH\n")
                .contains("No answer")
                .doesNotContain("Likely finding");
    }
}
