package io.warden.collections.internal;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.clinical.Evaluation;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.VectorIndex;
import io.warden.clinical.VectorRecord;
import io.warden.collections.internal.CollectionViews.CollectionView;
import io.warden.collections.internal.CollectionViews.EvaluationView;
import io.warden.registry.Actor;
import io.warden.registry.AgentKind;
import io.warden.registry.EvaluationGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Evaluations of a collection's current version, stored with the version: a sample of its labelled items (chosen by a
 * seed, so an evaluation can be repeated) each searched for with its own vector, itself left out of its neighbours
 * (leave-one-out), and measured as recall@k against exact search, P@k by label, Top-1 and Top-k vote accuracy, and the
 * confusion matrix of the Top-k votes. Also the registry's {@link EvaluationGate}: a data scope that sets a minimum
 * Top-1 accuracy admits a RAG_CLASSIFIER only when one of its ACTIVE collections' current version was evaluated at or
 * above it. Thread-safe.
 */
final class CollectionEvaluations implements EvaluationGate {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What an admin asks: {@code k} neighbours, {@code queries} sampled items, the sample's {@code seed}. */
    record EvaluateRequest(
            @Nullable Integer k,
            @Nullable Integer queries,
            @Nullable Long seed) {}

    private final JdbcClient jdbc;
    private final CollectionService collections;
    private final PostgresCollectionCatalog catalog;
    private final @Nullable VectorCollections store;
    private final AuditLog audit;
    private final Clock clock;
    private final IdGenerator ids;

    CollectionEvaluations(
            JdbcClient jdbc,
            CollectionService collections,
            PostgresCollectionCatalog catalog,
            @Nullable VectorCollections store,
            AuditLog audit,
            Clock clock,
            IdGenerator ids) {
        this.jdbc = jdbc;
        this.collections = collections;
        this.catalog = catalog;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
    }

    EvaluationView evaluate(String name, long version, EvaluateRequest request, Actor actor) {
        int k = request.k() == null ? 5 : request.k();
        int wanted = request.queries() == null ? 200 : request.queries();
        long seed = request.seed() == null ? 0 : request.seed();
        if (k < 1 || k > 100) {
            throw CollectionRefused.invalid("k", "k is between 1 and 100, got " + k);
        }
        if (wanted < 1 || wanted > 2000) {
            throw CollectionRefused.invalid("queries", "queries is between 1 and 2000, got " + wanted);
        }
        CollectionView collection = collections.get(name);
        collections.version(name, version, 0);
        if (collection.currentVersion() != version || !collection.status().equals("ACTIVE") || store == null) {
            throw CollectionRefused.conflict(
                    "version-not-served",
                    "Only the current version of an ACTIVE collection is evaluated here; " + name + " serves version "
                            + collection.currentVersion());
        }
        catalog.find(name);
        VectorIndex index = store.find(name).orElseThrow();
        List<VectorRecord> items;
        try {
            items = ItemFiles.readAll(collections.items(name, version));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the items of " + name + " v" + version, e);
        }
        String labelField = collection.labelField();
        List<VectorRecord> labelled = new ArrayList<>(items.stream()
                .filter(item -> item.metadata().containsKey(labelField))
                .toList());
        if (labelled.size() < 2) {
            throw CollectionRefused.conflict(
                    "too-few-labelled-items",
                    "Version " + version + " of " + name + " has fewer than 2 items with a '" + labelField + "' label");
        }
        // a seeded order that needs no random source: the same seed picks the same items
        labelled.sort(Comparator.comparingLong((VectorRecord item) -> mix(seed, item.id()))
                .thenComparing(VectorRecord::id));
        List<VectorRecord> queries = labelled.subList(0, Math.min(wanted, labelled.size()));

        List<String> truth = new ArrayList<>();
        List<List<SearchHit>> approximate = new ArrayList<>();
        List<List<String>> approximateIds = new ArrayList<>();
        List<List<String>> exactIds = new ArrayList<>();
        List<List<String>> resultLabels = new ArrayList<>();
        for (VectorRecord query : queries) {
            truth.add(query.metadata().get(labelField));
            List<SearchHit> hits = index.search(query.vector(), Math.min(k + 1, index.size()), Map.of()).stream()
                    .filter(hit -> !hit.id().equals(query.id()))
                    .limit(k)
                    .toList();
            approximate.add(hits);
            approximateIds.add(hits.stream().map(SearchHit::id).toList());
            resultLabels.add(hits.stream()
                    .map(hit -> hit.metadata().getOrDefault(labelField, ""))
                    .toList());
            exactIds.add(exact(items, query, k));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("queries", queries.size());
        result.put("k", k);
        result.put("recallAtK", Evaluation.recallAtK(approximateIds, exactIds, k));
        result.put("precisionAtK", Evaluation.precisionAtK(truth, resultLabels, k));
        double top1 = Evaluation.majorityVoteAccuracy(truth, approximate, labelField, 1);
        result.put("top1Accuracy", top1);
        result.put("topKVoteAccuracy", Evaluation.majorityVoteAccuracy(truth, approximate, labelField, k));
        result.put("confusionMatrix", Evaluation.confusionMatrix(truth, Evaluation.votes(approximate, labelField, k)));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("k", k);
        settings.put("queries", wanted);
        settings.put("seed", seed);
        settings.put("method", "leave-one-out on a seeded sample of the labelled items");
        settings.put("labelField", labelField);
        String id = ids.generateId().toString();
        jdbc.sql("""
                insert into collection_evaluation (id, collection, version, created_by, created_at, settings, top1, result)
                values (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(
                        id,
                        name,
                        version,
                        actor.id(),
                        Timestamp.from(clock.instant()),
                        JSON.writeValueAsString(settings),
                        top1,
                        JSON.writeValueAsString(result))
                .update();
        audit.append(AuditEvent.builder(
                        "collection.evaluated", CollectionService.person(actor), new AuditTarget("collection", name))
                .dataset(collection.dataScope())
                .detail("version", version)
                .detail("evaluation", id)
                .detail("top1Accuracy", top1)
                .build());
        return evaluations(name, version).stream()
                .filter(evaluation -> evaluation.id().equals(id))
                .findFirst()
                .orElseThrow();
    }

    List<EvaluationView> evaluations(String name, long version) {
        collections.version(name, version, 0);
        return jdbc.sql(
                        "select * from collection_evaluation where collection = ? and version = ? order by created_at desc")
                .params(name, version)
                .query((rs, n) -> new EvaluationView(
                        rs.getString("id"),
                        rs.getString("collection"),
                        rs.getLong("version"),
                        rs.getString("created_by"),
                        rs.getTimestamp("created_at").toInstant(),
                        JSON.readValue(rs.getString("settings"), new TypeReference<Map<String, Object>>() {}),
                        JSON.readValue(rs.getString("result"), new TypeReference<Map<String, Object>>() {})))
                .list();
    }

    /** The ids of the k items nearest the query by exact inner product, the query itself left out. */
    private static List<String> exact(List<VectorRecord> items, VectorRecord query, int k) {
        PriorityQueue<Map.Entry<Double, String>> best = new PriorityQueue<>(Map.Entry.comparingByKey());
        for (VectorRecord item : items) {
            if (item.id().equals(query.id())) {
                continue;
            }
            double score = 0;
            float[] a = item.vector();
            float[] b = query.vector();
            for (int d = 0; d < a.length; d++) {
                score += a[d] * b[d];
            }
            best.add(Map.entry(score, item.id()));
            if (best.size() > k) {
                best.poll();
            }
        }
        List<Map.Entry<Double, String>> ordered = new ArrayList<>(best);
        ordered.sort(Map.Entry.<Double, String>comparingByKey().reversed());
        return ordered.stream().map(Map.Entry::getValue).toList();
    }

    private static long mix(long seed, String id) {
        long h = seed * 0x9E3779B97F4A7C15L + id.hashCode();
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public Optional<String> refusal(AgentKind kind, Set<String> dataScopes) {
        if (kind != AgentKind.RAG_CLASSIFIER) {
            return Optional.empty();
        }
        Set<String> unmet = new HashSet<>();
        for (String scope : dataScopes) {
            Optional<Double> minimum = collections.gate(scope);
            if (minimum.isEmpty()) {
                continue;
            }
            boolean met = jdbc.sql("""
                    select exists (
                        select 1 from collection c
                        join collection_evaluation e on e.collection = c.name and e.version = c.current_version
                        where c.data_scope = ? and c.status = 'ACTIVE' and e.top1 >= ?)""")
                    .params(scope, minimum.get())
                    .query(Boolean.class)
                    .single();
            if (!met) {
                unmet.add(scope + " (Top-1 at least " + minimum.get() + ")");
            }
        }
        if (unmet.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("A RAG_CLASSIFIER is approved on these data scopes only once one of each scope's collections"
                + " has a current version evaluated at or above its minimum: "
                + unmet.stream().sorted().toList());
    }
}
