package io.warden.collections;

import io.warden.clinical.IndexKind;
import io.warden.clinical.Modality;
import io.warden.registry.Actor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Port for the portal: the collections, their versions, refused items and evaluations as {@code /api/v1/collections}
 * reads them, and the changes a page offers (retire, remove an item, evaluate, set a data scope's gate) through the
 * same use cases, so each is
 * validated, refused and audited exactly as the API's. Role rules are the caller's to check, as at the API's edge.
 * Thread-safe.
 *
 * <p>Refusals are {@link io.warden.audit.problem.ProblemException}s with the API's stable codes and, for bad input,
 * the field at fault.
 */
public interface GovernedCollections {

    /**
     * Deletes the files of every version superseded, or whose build failed, before {@code before} (its row stays, with
     * when it was pruned), and records each in the audit trail; how many were pruned. Every instance runs it on a
     * schedule with {@code warden.collections.superseded-retention}; a version an instance serves is never deleted.
     */
    int pruneBefore(Instant before);

    /** Every collection, by name, with its current version's item count. */
    List<Summary> list();

    /**
     * One collection, its versions (newest first) and, for {@code version} (the newest when null), the first
     * {@code rejections} items its build refused and its evaluations (newest first); with the data scope's gate.
     */
    Overview overview(String name, @Nullable Long version, int rejections);

    /** Retires the collection as {@code POST /api/v1/collections/{name}/retire} does; audited. */
    Summary retire(String name, @Nullable String reason, Actor actor);

    /** Starts the build of a version without the item, as {@code DELETE .../items/{id}} does; audited. */
    Version removeItem(String name, String itemId, @Nullable String reason, Actor actor);

    /**
     * Evaluates the current version as {@code POST .../versions/{version}/evaluations} does, stored and audited: a
     * seeded sample, or the labelled query set the request names.
     */
    Evaluation evaluate(String name, long version, EvaluationRequest request, Actor actor);

    /**
     * Sets (or, with null, clears) the minimum Top-1 accuracy of a data scope's evaluation gate, as {@code PUT
     * /api/v1/collection-gates/{dataScope}} does; audited. Answers the minimum now in force.
     */
    @Nullable
    Double gate(String dataScope, @Nullable Double minTop1, Actor actor);

    /**
     * What to evaluate: {@code k} neighbours (5 when null), and either {@code queries} sampled items (200) with the
     * sample's {@code seed} (0), or {@code querySet}, the id of an upload of the collection holding labelled queries.
     */
    record EvaluationRequest(
            @Nullable Integer k,
            @Nullable Integer queries,
            @Nullable Long seed,
            @Nullable String querySet) {}

    /** A collection and the item count of its current version (0 before its first). */
    record Summary(
            String name,
            String displayName,
            String dataScope,
            Modality modality,
            String embeddingModel,
            IndexKind indexKind,
            int dimension,
            boolean deidentified,
            String labelField,
            String status,
            long currentVersion,
            long itemCount,
            String managedBy,
            String createdBy,
            Instant createdAt,
            @Nullable String retiredBy,
            @Nullable Instant retiredAt,
            @Nullable String retireReason) {}

    /** A version and its build's progress; {@code total} is -1 until the build knows it. */
    record Version(
            long version,
            String state,
            String sourceKind,
            long total,
            long processed,
            long accepted,
            long rejected,
            long itemCount,
            String createdBy,
            Instant createdAt,
            @Nullable Instant finishedAt,
            @Nullable String reason,
            @Nullable String error) {}

    /** An input a build refused: its line or row, its reference, a stable code and the reason. */
    record Rejection(long position, String reference, String code, String reason) {}

    /**
     * An evaluation stored with its version: the measures and the confusion matrix of the Top-k votes (true label →
     * predicted label → count).
     */
    record Evaluation(
            String id,
            long version,
            String createdBy,
            Instant createdAt,
            Map<String, Object> settings,
            int queries,
            int k,
            double recallAtK,
            double precisionAtK,
            double top1Accuracy,
            double topKVoteAccuracy,
            SortedMap<String, SortedMap<String, Integer>> confusionMatrix) {

        /** Every label that is true or predicted somewhere, sorted: the matrix's rows and columns. */
        public SortedSet<String> labels() {
            SortedSet<String> labels = new TreeSet<>(confusionMatrix.keySet());
            confusionMatrix.values().forEach(row -> labels.addAll(row.keySet()));
            return labels;
        }

        public int count(String truth, String predicted) {
            SortedMap<String, Integer> row = confusionMatrix.get(truth);
            Integer count = row == null ? null : row.get(predicted);
            return count == null ? 0 : count;
        }
    }

    /**
     * What a collection's page shows.
     *
     * @param chosen the version whose rejections and evaluations are included; null before the first build
     * @param gate the minimum Top-1 accuracy the collection's data scope asks of a RAG_CLASSIFIER; null when none
     */
    record Overview(
            Summary collection,
            List<Version> versions,
            @Nullable Version chosen,
            List<Rejection> rejections,
            List<Evaluation> evaluations,
            @Nullable Double gate) {}
}
