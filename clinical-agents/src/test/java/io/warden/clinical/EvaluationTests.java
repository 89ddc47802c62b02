package io.warden.clinical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.warden.clinical.internal.KnnClassifier;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Evaluation, voting and volume aggregation against values computed by hand. */
class EvaluationTests {

    static SearchHit hit(String id, float score, String label) {
        return new SearchHit(id, score, Map.of("label", label));
    }

    @Test
    void recallAtKAgainstExactResults() {
        // query 1: 2 of 3 found; query 2: 3 of 3 -> (2/3 + 1) / 2 = 0.8333
        double recall = Evaluation.recallAtK(
                List.of(List.of("a", "b", "x"), List.of("c", "d", "e")),
                List.of(List.of("a", "b", "c"), List.of("e", "d", "c")),
                3);
        assertThat(recall).isCloseTo(5.0 / 6, offset(1e-12));
    }

    @Test
    void precisionAtKByLabel() {
        List<String> queries = List.of("chest", "brain");
        List<List<String>> results = List.of(
                List.of("chest", "brain", "chest", "chest", "abdomen"),
                List.of("chest", "brain", "brain", "brain", "brain"));
        assertThat(Evaluation.precisionAtK(queries, results, 1)).isCloseTo((1 + 0) / 2.0, offset(1e-12));
        assertThat(Evaluation.precisionAtK(queries, results, 3)).isCloseTo((2 / 3.0 + 2 / 3.0) / 2, offset(1e-12));
        assertThat(Evaluation.precisionAtK(queries, results, 5)).isCloseTo((3 / 5.0 + 4 / 5.0) / 2, offset(1e-12));
    }

    @Test
    void majorityVoteAccuracyOverTopK() {
        List<List<SearchHit>> results = List.of(
                List.of(hit("1", .9f, "venous"), hit("2", .8f, "arterial"), hit("3", .7f, "venous")),
                List.of(hit("4", .9f, "pressure"), hit("5", .8f, "diabetic"), hit("6", .7f, "diabetic")));
        // top-1: venous right, pressure wrong -> 0.5; top-3: venous right, diabetic right -> 1.0
        assertThat(Evaluation.majorityVoteAccuracy(List.of("venous", "diabetic"), results, "label", 1))
                .isEqualTo(0.5);
        assertThat(Evaluation.majorityVoteAccuracy(List.of("venous", "diabetic"), results, "label", 3))
                .isEqualTo(1.0);
    }

    @Test
    void weightedVotesCanOverturnTheCount() {
        List<SearchHit> neighbours =
                List.of(hit("1", .95f, "infected"), hit("2", .30f, "clean"), hit("3", .25f, "clean"));
        Classification counted = KnnClassifier.classify(neighbours, "label", false);
        Classification weighted = KnnClassifier.classify(neighbours, "label", true);
        assertThat(counted.label()).isEqualTo("clean");
        assertThat(counted.votes()).containsEntry("clean", 2.0).containsEntry("infected", 1.0);
        assertThat(weighted.label()).isEqualTo("infected");
        assertThat(weighted.votes().get("clean")).isCloseTo(0.55, offset(1e-6));
        assertThat(weighted.neighbours()).hasSize(3);
    }

    @Test
    void tiesGoToTheLabelOfTheBestNeighbour() {
        assertThat(KnnClassifier.classify(List.of(hit("1", .9f, "b"), hit("2", .8f, "a")), "label", false)
                        .label())
                .isEqualTo("b");
        assertThatThrownBy(() -> KnnClassifier.classify(List.of(new SearchHit("1", .9f, Map.of())), "label", false))
                .isInstanceOf(RetrievalRejected.class);
    }

    @Test
    void zeroShotPicksTheMostSimilarLabelText() {
        Classification result = KnnClassifier.zeroShot(
                new float[] {0.6f, 0.8f}, Map.of("chest", new float[] {1, 0}, "brain", new float[] {0, 1}));
        assertThat(result.label()).isEqualTo("brain");
        assertThat(result.votes().get("chest")).isCloseTo(0.6, offset(1e-6));
    }

    @Test
    void volumeAggregationPerDimension() {
        List<float[]> slices = List.of(new float[] {1, 0}, new float[] {3, 4}, new float[] {2, 8});
        // median (2, 4) -> normalised (2, 4)/sqrt(20)
        assertThat(VolumeEmbeddings.aggregate(slices, VolumeEmbeddings.Aggregation.MEDIAN))
                .containsExactly(
                        new float[] {(float) (2 / Math.sqrt(20)), (float) (4 / Math.sqrt(20))}, Offset.offset(1e-6f));
        // mean (2, 4) as well
        assertThat(VolumeEmbeddings.aggregate(slices, VolumeEmbeddings.Aggregation.MEAN))
                .containsExactly(
                        new float[] {(float) (2 / Math.sqrt(20)), (float) (4 / Math.sqrt(20))}, Offset.offset(1e-6f));
        // max (3, 8)
        assertThat(VolumeEmbeddings.aggregate(slices, VolumeEmbeddings.Aggregation.MAX))
                .containsExactly(
                        new float[] {(float) (3 / Math.sqrt(73)), (float) (8 / Math.sqrt(73))}, Offset.offset(1e-6f));
        // population std: x (0.8165), y (3.2660) -> normalised
        float[] std = VolumeEmbeddings.aggregate(slices, VolumeEmbeddings.Aggregation.STD);
        double sx = Math.sqrt(2 / 3.0);
        double sy = Math.sqrt(32 / 3.0);
        double n = Math.hypot(sx, sy);
        assertThat(std).containsExactly(new float[] {(float) (sx / n), (float) (sy / n)}, Offset.offset(1e-6f));
        assertThatThrownBy(() -> VolumeEmbeddings.aggregate(
                        List.of(new float[] {1, 0}, new float[] {1}), VolumeEmbeddings.Aggregation.MEAN))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("wrong-dimension"));
        assertThatThrownBy(() -> VolumeEmbeddings.aggregate(
                        List.of(new float[] {Float.NaN, 0}), VolumeEmbeddings.Aggregation.MEAN))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("non-finite"));
    }
}
