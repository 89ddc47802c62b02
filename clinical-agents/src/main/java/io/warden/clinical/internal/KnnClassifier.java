package io.warden.clinical.internal;

import io.warden.clinical.Classification;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchHit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Majority vote over the labels of the nearest neighbours (wound type, infection, ...), plain or weighted
 * by similarity. Ties go to the label whose best neighbour ranks highest, so the result is deterministic.
 */
public final class KnnClassifier {

    private KnnClassifier() {}

    /**
     * @param neighbours best first, as a search returns them
     * @param labelKey   the metadata key holding the label
     * @param weighted   weigh each vote by the neighbour's similarity instead of counting it once
     * @throws RetrievalRejected ({@code empty-collection}) when no neighbour carries a label
     */
    public static Classification classify(List<SearchHit> neighbours, String labelKey, boolean weighted) {
        Map<String, Double> votes = new LinkedHashMap<>();
        for (SearchHit hit : neighbours) {
            String label = hit.metadata().get(labelKey);
            if (label != null) {
                votes.merge(label, weighted ? Math.max(0.0, hit.score()) : 1.0, Double::sum);
            }
        }
        if (votes.isEmpty()) {
            throw new RetrievalRejected(
                    "empty-collection",
                    "None of the " + neighbours.size() + " neighbours has a '" + labelKey + "' label");
        }
        // LinkedHashMap keeps first-seen order, i.e. the rank of each label's best neighbour: ties go to it
        String winner = null;
        double best = Double.NEGATIVE_INFINITY;
        for (var vote : votes.entrySet()) {
            if (vote.getValue() > best) {
                best = vote.getValue();
                winner = vote.getKey();
            }
        }
        if (winner == null) {
            throw new RetrievalRejected(
                    "empty-collection", "No label of the " + neighbours.size() + " neighbours has a score");
        }
        return new Classification(winner, Map.copyOf(votes), List.copyOf(neighbours));
    }

    /**
     * Zero-shot classification: the label whose text embedding is most similar to {@code vector}.
     *
     * @param labelVectors label → unit vector of its description
     */
    public static Classification zeroShot(float[] vector, Map<String, float[]> labelVectors) {
        Map<String, Double> scores = new LinkedHashMap<>();
        String winner = null;
        double best = Double.NEGATIVE_INFINITY;
        for (var label : labelVectors.entrySet()) {
            if (label.getValue().length != vector.length) {
                throw new RetrievalRejected(
                        "wrong-dimension",
                        "Label '" + label.getKey() + "' has " + label.getValue().length + " dimensions; the vector has "
                                + vector.length);
            }
            double score = 0;
            for (int i = 0; i < vector.length; i++) {
                score += (double) vector[i] * label.getValue()[i];
            }
            scores.put(label.getKey(), score);
            if (score > best) {
                best = score;
                winner = label.getKey();
            }
        }
        if (winner == null) {
            throw new RetrievalRejected("empty-collection", "Zero-shot classification needs at least one label");
        }
        return new Classification(winner, Map.copyOf(scores), List.of());
    }
}
