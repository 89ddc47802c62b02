package io.warden.clinical;

import io.warden.clinical.internal.KnnClassifier;
import java.util.List;
import java.util.Map;

/**
 * A k-NN vote: the winning label, the votes every label got (counts, or summed similarities when
 * distance-weighted) and the neighbours that voted.
 */
public record Classification(String label, Map<String, Double> votes, List<SearchHit> neighbours) {

    /**
     * Votes over these neighbours (best first): a plain majority, or weighted by similarity. Ties go to the label
     * whose best neighbour ranks highest.
     *
     * @throws RetrievalRejected ({@code empty-collection}) when no neighbour carries a label
     */
    public static Classification vote(List<SearchHit> neighbours, String labelKey, boolean weighted) {
        return KnnClassifier.classify(neighbours, labelKey, weighted);
    }
}
