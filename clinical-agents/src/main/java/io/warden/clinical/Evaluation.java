package io.warden.clinical;

import io.warden.clinical.internal.EvaluationCommand;
import io.warden.clinical.internal.KnnClassifier;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Retrieval quality: recall@k of an approximate index against exact search, precision@k by label (as
 * 3D-MIR reports P@1, P@3, P@5, P@10), and top-1 / top-k majority-vote accuracy. Pure functions over
 * result lists; the caller runs the searches.
 */
public final class Evaluation {

    private Evaluation() {}

    /**
     * {@code java -jar warden.jar evaluate --base B.npy --base-labels B.json --queries Q.npy --query-labels Q.json
     * [--kind FLAT|HNSW|HNSW_INT8] [--k 10]}: these measures over labelled vectors, as one JSON object on {@code out}.
     *
     * @return the exit status: 0, or 2 with the reason for unusable input on {@code err}
     */
    public static int command(String[] args, PrintStream out, PrintStream err) {
        return EvaluationCommand.run(args, out, err);
    }

    /** Mean over queries of |approximate top-k ∩ exact top-k| / k. */
    public static double recallAtK(List<List<String>> approximate, List<List<String>> exact, int k) {
        requireSameSize(approximate, exact);
        double total = 0;
        for (int q = 0; q < exact.size(); q++) {
            Set<String> truth = new HashSet<>(
                    exact.get(q).subList(0, Math.min(k, exact.get(q).size())));
            long found =
                    approximate.get(q).stream().limit(k).filter(truth::contains).count();
            total += (double) found / k;
        }
        return exact.isEmpty() ? 0 : total / exact.size();
    }

    /** Mean over queries of the share of the first k results whose label is the query's label. */
    public static double precisionAtK(List<String> queryLabels, List<List<String>> resultLabels, int k) {
        requireSameSize(queryLabels, resultLabels);
        double total = 0;
        for (int q = 0; q < queryLabels.size(); q++) {
            String label = queryLabels.get(q);
            long relevant =
                    resultLabels.get(q).stream().limit(k).filter(label::equals).count();
            total += (double) relevant / k;
        }
        return queryLabels.isEmpty() ? 0 : total / queryLabels.size();
    }

    /** Share of queries whose majority vote over their first k results' labels is the query's label. */
    public static double majorityVoteAccuracy(
            List<String> queryLabels, List<List<SearchHit>> results, String labelKey, int k) {
        requireSameSize(queryLabels, results);
        int correct = 0;
        for (int q = 0; q < queryLabels.size(); q++) {
            List<SearchHit> neighbours =
                    results.get(q).subList(0, Math.min(k, results.get(q).size()));
            if (!neighbours.isEmpty()
                    && KnnClassifier.classify(neighbours, labelKey, false)
                            .label()
                            .equals(queryLabels.get(q))) {
                correct++;
            }
        }
        return queryLabels.isEmpty() ? 0 : (double) correct / queryLabels.size();
    }

    /** Each query's majority-vote label over its first k results (empty text where a query has no labelled result). */
    public static List<String> votes(List<List<SearchHit>> results, String labelKey, int k) {
        List<String> labels = new ArrayList<>(results.size());
        for (List<SearchHit> result : results) {
            List<SearchHit> neighbours = result.subList(0, Math.min(k, result.size()));
            labels.add(
                    neighbours.isEmpty()
                            ? ""
                            : KnnClassifier.classify(neighbours, labelKey, false)
                                    .label());
        }
        return labels;
    }

    /** How often each true label (outer key) was predicted as each label (inner key), labels in sorted order. */
    public static SortedMap<String, SortedMap<String, Integer>> confusionMatrix(
            List<String> truth, List<String> predicted) {
        requireSameSize(truth, predicted);
        SortedMap<String, SortedMap<String, Integer>> matrix = new TreeMap<>();
        for (int q = 0; q < truth.size(); q++) {
            matrix.computeIfAbsent(truth.get(q), label -> new TreeMap<>()).merge(predicted.get(q), 1, Integer::sum);
        }
        return matrix;
    }

    private static void requireSameSize(List<?> a, List<?> b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(
                    "one result list per query: " + a.size() + " queries, " + b.size() + " result lists");
        }
    }
}
