package io.warden.collections.internal;

import io.warden.collections.GovernedCollections;
import io.warden.collections.internal.CollectionViews.CollectionView;
import io.warden.collections.internal.CollectionViews.EvaluationView;
import io.warden.collections.internal.CollectionViews.VersionView;
import io.warden.registry.Actor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@link GovernedCollections} over the API's own use cases: the portal reads and changes collections through the same
 * code, so a refusal, a validation or an audit record cannot differ between a page and the API. Thread-safe.
 */
final class CollectionOverviews implements GovernedCollections {

    private final JdbcClient jdbc;
    private final CollectionService collections;
    private final CollectionEvaluations evaluations;
    private final CollectionPruner pruner;

    CollectionOverviews(
            JdbcClient jdbc,
            CollectionService collections,
            CollectionEvaluations evaluations,
            CollectionPruner pruner) {
        this.jdbc = jdbc;
        this.collections = collections;
        this.evaluations = evaluations;
        this.pruner = pruner;
    }

    @Override
    public int pruneBefore(Instant before) {
        return pruner.pruneBefore(before);
    }

    @Override
    public List<Summary> list() {
        Map<String, Long> counts = new TreeMap<>();
        jdbc.sql("""
                select c.name, v.item_count from collection c
                join collection_version v on v.collection = c.name and v.version = c.current_version""").query(rs -> {
            counts.put(rs.getString("name"), rs.getLong("item_count"));
        });
        return collections.list().stream()
                .map(each -> summary(each, counts.getOrDefault(each.name(), 0L)))
                .toList();
    }

    @Override
    public Overview overview(String name, @Nullable Long version, int rejections) {
        if (rejections < 0 || rejections > 1000) {
            throw CollectionRefused.invalid("rejections", "rejections is between 0 and 1000");
        }
        CollectionView collection = collections.get(name);
        List<Version> versions = collections.versions(name).stream()
                .map(CollectionOverviews::version)
                .toList();
        long current = collection.currentVersion();
        long itemCount = versions.stream()
                .filter(each -> each.version() == current)
                .mapToLong(Version::itemCount)
                .findFirst()
                .orElse(0);
        Long wanted = version == null
                ? versions.stream().map(Version::version).findFirst().orElse(null)
                : version;
        if (wanted == null) {
            return new Overview(summary(collection, itemCount), versions, null, List.of(), List.of(), gate(collection));
        }
        VersionView chosen = collections.version(name, wanted, rejections);
        return new Overview(
                summary(collection, itemCount),
                versions,
                version(chosen),
                chosen.rejections().stream()
                        .map(each -> new Rejection(each.position(), each.reference(), each.code(), each.reason()))
                        .toList(),
                evaluations.evaluations(name, wanted).stream()
                        .map(CollectionOverviews::evaluation)
                        .toList(),
                gate(collection));
    }

    @Override
    public Summary retire(String name, @Nullable String reason, Actor actor) {
        collections.retire(name, reason, actor);
        return list().stream()
                .filter(each -> each.name().equals(name))
                .findFirst()
                .orElseThrow(() -> CollectionRefused.notFound("collection", name));
    }

    @Override
    public Version removeItem(String name, String itemId, @Nullable String reason, Actor actor) {
        return version(collections.removeItem(name, itemId, reason, actor));
    }

    @Override
    public Evaluation evaluate(String name, long version, EvaluationRequest request, Actor actor) {
        return evaluation(evaluations.evaluate(
                name,
                version,
                new CollectionEvaluations.EvaluateRequest(
                        request.k(), request.queries(), request.seed(), request.querySet()),
                actor));
    }

    @Override
    public @Nullable Double gate(String dataScope, @Nullable Double minTop1, Actor actor) {
        collections.gate(dataScope, minTop1, actor);
        return collections.gate(dataScope).orElse(null);
    }

    private @Nullable Double gate(CollectionView collection) {
        return collections.gate(collection.dataScope()).orElse(null);
    }

    private static Summary summary(CollectionView c, long itemCount) {
        return new Summary(
                c.name(),
                c.displayName(),
                c.dataScope(),
                c.modality(),
                c.embeddingModel(),
                c.indexKind(),
                c.dimension(),
                c.deidentified(),
                c.labelField(),
                c.status(),
                c.currentVersion(),
                itemCount,
                c.managedBy(),
                c.createdBy(),
                c.createdAt(),
                c.retiredBy(),
                c.retiredAt(),
                c.retireReason());
    }

    private static Version version(VersionView v) {
        return new Version(
                v.version(),
                v.state(),
                v.sourceKind(),
                v.total(),
                v.processed(),
                v.accepted(),
                v.rejected(),
                v.itemCount(),
                v.createdBy(),
                v.createdAt(),
                v.finishedAt(),
                v.reason(),
                v.error());
    }

    /** The stored result as typed measures; a measure missing from an older result reads as 0, never as a failure. */
    private static Evaluation evaluation(EvaluationView e) {
        Map<String, Object> result = e.result();
        SortedMap<String, SortedMap<String, Integer>> matrix = new TreeMap<>();
        if (result.get("confusionMatrix") instanceof Map<?, ?> rows) {
            rows.forEach((truth, row) -> {
                SortedMap<String, Integer> counts = new TreeMap<>();
                if (row instanceof Map<?, ?> cells) {
                    cells.forEach((predicted, count) -> {
                        if (count instanceof Number n) {
                            counts.put(String.valueOf(predicted), n.intValue());
                        }
                    });
                }
                matrix.put(String.valueOf(truth), counts);
            });
        }
        return new Evaluation(
                e.id(),
                e.version(),
                e.createdBy(),
                e.createdAt(),
                e.settings(),
                (int) number(result, "queries"),
                (int) number(result, "k"),
                number(result, "recallAtK"),
                number(result, "precisionAtK"),
                number(result, "top1Accuracy"),
                number(result, "topKVoteAccuracy"),
                matrix);
    }

    private static double number(Map<String, Object> result, String key) {
        return result.get(key) instanceof Number n ? n.doubleValue() : 0;
    }
}
