package io.warden.collections.internal;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.clinical.Embedder;
import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.Evaluation;
import io.warden.clinical.Modality;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.VectorIndex;
import io.warden.clinical.VectorRecord;
import io.warden.clinical.Vectors;
import io.warden.collections.internal.CollectionViews.CollectionView;
import io.warden.collections.internal.CollectionViews.EvaluationView;
import io.warden.collections.internal.CollectionViews.UploadView;
import io.warden.registry.Actor;
import io.warden.registry.AgentKind;
import io.warden.registry.EvaluationGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.IdGenerator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Evaluations of a collection's current version, stored with the version: either a sample of its labelled items
 * (chosen by a seed, so an evaluation can be repeated) each searched for with its own vector, itself left out of its
 * neighbours (leave-one-out), or a labelled query set (an upload of the collection: texts embedded with the text model,
 * or vectors) each searched against the whole version; both measured as recall@k against exact search, P@k by label, Top-1 and Top-k vote accuracy, and the
 * confusion matrix of the Top-k votes. Also the registry's {@link EvaluationGate}: a data scope that sets a minimum
 * Top-1 accuracy admits a RAG_CLASSIFIER only when one of its ACTIVE collections' current version was evaluated at or
 * above it, by either method (see docs/security.md for why). Thread-safe.
 */
final class CollectionEvaluations implements EvaluationGate {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * What an admin asks: {@code k} neighbours, and either {@code queries} sampled items with the sample's
     * {@code seed} (leave-one-out), or {@code querySet}, an upload of the collection holding labelled queries.
     */
    record EvaluateRequest(
            @Nullable Integer k,
            @Nullable Integer queries,
            @Nullable Long seed,
            @Nullable String querySet) {}

    static final String SAMPLE = "leave-one-out on a seeded sample of the labelled items";
    static final String QUERY_SET = "labelled query set";

    /** A query with its (unit) vector and true label; {@code leftOut} is the item it must not find (its own id). */
    private record Probe(
            float[] vector, String label, @Nullable String leftOut) {}

    private final JdbcClient jdbc;
    private final CollectionService collections;
    private final PostgresCollectionCatalog catalog;
    private final @Nullable VectorCollections store;
    private final @Nullable Embedder embedder;
    private final CollectionsProperties properties;
    private final AuditLog audit;
    private final Clock clock;
    private final IdGenerator ids;

    CollectionEvaluations(
            JdbcClient jdbc,
            CollectionService collections,
            PostgresCollectionCatalog catalog,
            @Nullable VectorCollections store,
            @Nullable Embedder embedder,
            CollectionsProperties properties,
            AuditLog audit,
            Clock clock,
            IdGenerator ids) {
        this.jdbc = jdbc;
        this.collections = collections;
        this.catalog = catalog;
        this.store = store;
        this.embedder = embedder;
        this.properties = properties;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
    }

    EvaluationView evaluate(String name, long version, EvaluateRequest request, Actor actor) {
        int k = request.k() == null ? 5 : request.k();
        if (k < 1 || k > 100) {
            throw CollectionRefused.invalid("k", "k is between 1 and 100, got " + k);
        }
        if (request.querySet() != null && (request.queries() != null || request.seed() != null)) {
            throw CollectionRefused.invalid(
                    "querySet",
                    "A querySet replaces the sample: give querySet, or queries and seed, not both ("
                            + (request.queries() != null ? "queries" : "seed") + " was given)");
        }
        int wanted = request.queries() == null ? 200 : request.queries();
        long seed = request.seed() == null ? 0 : request.seed();
        if (request.querySet() == null && (wanted < 1 || wanted > 2000)) {
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
        String labelField = collection.labelField();
        // the set is read and checked whole before any item is, so that a bad line is refused before the work
        UploadView querySet =
                request.querySet() == null ? null : collections.upload(name, request.querySet(), "querySet");
        List<QuerySetLines.Query> lines = querySet == null ? List.of() : querySet(collection, querySet);
        VectorIndex index = store.find(name).orElseThrow();
        List<VectorRecord> items;
        try {
            items = ItemFiles.readAll(collections.items(name, version));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the items of " + name + " v" + version, e);
        }
        List<Probe> probes =
                querySet == null ? sample(collection, version, items, wanted, seed) : probes(collection, lines);

        List<String> truth = new ArrayList<>();
        List<List<SearchHit>> approximate = new ArrayList<>();
        List<List<String>> approximateIds = new ArrayList<>();
        List<List<String>> exactIds = new ArrayList<>();
        List<List<String>> resultLabels = new ArrayList<>();
        for (Probe probe : probes) {
            truth.add(probe.label());
            // a left-out item may be among the first k + 1 hits; a query that is not an item needs only k
            int asked = Math.min(probe.leftOut() == null ? k : k + 1, index.size());
            List<SearchHit> hits = index.search(probe.vector(), asked, Map.of()).stream()
                    .filter(hit -> !hit.id().equals(probe.leftOut()))
                    .limit(k)
                    .toList();
            approximate.add(hits);
            approximateIds.add(hits.stream().map(SearchHit::id).toList());
            resultLabels.add(hits.stream()
                    .map(hit -> hit.metadata().getOrDefault(labelField, ""))
                    .toList());
            exactIds.add(exact(items, probe, k));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("queries", probes.size());
        result.put("k", k);
        result.put("recallAtK", Evaluation.recallAtK(approximateIds, exactIds, k));
        result.put("precisionAtK", Evaluation.precisionAtK(truth, resultLabels, k));
        double top1 = Evaluation.majorityVoteAccuracy(truth, approximate, labelField, 1);
        result.put("top1Accuracy", top1);
        result.put("topKVoteAccuracy", Evaluation.majorityVoteAccuracy(truth, approximate, labelField, k));
        result.put("confusionMatrix", Evaluation.confusionMatrix(truth, Evaluation.votes(approximate, labelField, k)));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("k", k);
        if (querySet == null) {
            settings.put("queries", wanted);
            settings.put("seed", seed);
            settings.put("method", SAMPLE);
        } else {
            settings.put("method", QUERY_SET);
            // the upload's id and digest tell an auditor exactly which set was used, even after the file is gone
            settings.put("querySet", querySet.id());
            settings.put("querySetSha256", querySet.sha256());
        }
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
        AuditEvent.Builder event = AuditEvent.builder(
                        "collection.evaluated", CollectionService.person(actor), new AuditTarget("collection", name))
                .dataset(collection.dataScope())
                .detail("version", version)
                .detail("evaluation", id)
                .detail("method", querySet == null ? SAMPLE : QUERY_SET)
                .detail("top1Accuracy", top1);
        if (querySet != null) {
            event.detail("querySet", querySet.id()).detail("querySetSha256", querySet.sha256());
        }
        audit.append(event.build());
        return evaluations(name, version).stream()
                .filter(evaluation -> evaluation.id().equals(id))
                .findFirst()
                .orElseThrow();
    }

    /** The labelled items of the version in the order the seed gives them, the first {@code wanted}, each left out. */
    private static List<Probe> sample(
            CollectionView collection, long version, List<VectorRecord> items, int wanted, long seed) {
        String labelField = collection.labelField();
        List<VectorRecord> labelled = new ArrayList<>(items.stream()
                .filter(item -> item.metadata().containsKey(labelField))
                .toList());
        if (labelled.size() < 2) {
            throw CollectionRefused.conflict(
                    "too-few-labelled-items",
                    "Version " + version + " of " + collection.name() + " has fewer than 2 items with a '" + labelField
                            + "' label");
        }
        // a seeded order that needs no random source: the same seed picks the same items
        labelled.sort(Comparator.comparingLong((VectorRecord item) -> mix(seed, item.id()))
                .thenComparing(VectorRecord::id));
        return labelled.subList(0, Math.min(wanted, labelled.size())).stream()
                .map(item -> new Probe(
                        item.vector(), Objects.requireNonNull(item.metadata().get(labelField)), item.id()))
                .toList();
    }

    /** The query set's lines, all checked: a bad one refuses the evaluation naming {@code querySet} and its line. */
    private List<QuerySetLines.Query> querySet(CollectionView collection, UploadView upload) {
        byte[] bytes = CollectionService.readBounded(
                collections.uploads(collection.name()).resolve(upload.id()), properties.maxQuerySetBytes(), "querySet");
        try {
            return QuerySetLines.parse(
                    bytes, collection.labelField(), collection.dimension(), collection.modality() == Modality.TEXT);
        } catch (LabelLines.Unusable e) {
            throw CollectionRefused.invalid("querySet", String.valueOf(e.getMessage()));
        }
    }

    /**
     * The queries as unit vectors: text embedded with this instance's text model, the same one the text build uses,
     * so that queries and items are in one space; given vectors normalised as a build normalises items.
     */
    private List<Probe> probes(CollectionView collection, List<QuerySetLines.Query> queries) {
        List<QuerySetLines.Query> texts =
                queries.stream().filter(query -> query.text() != null).toList();
        Map<String, float[]> embedded = new HashMap<>();
        if (!texts.isEmpty()) {
            Embedder model = textModel(collection);
            int batch = properties.embedBatchSize();
            for (int from = 0; from < texts.size(); from += batch) {
                List<QuerySetLines.Query> slice = texts.subList(from, Math.min(from + batch, texts.size()));
                List<float[]> vectors = embed(model, slice);
                for (int i = 0; i < slice.size(); i++) {
                    embedded.put(slice.get(i).id(), vectors.get(i));
                }
            }
        }
        List<Probe> probes = new ArrayList<>();
        for (QuerySetLines.Query query : queries) {
            float[] vector = query.vector();
            probes.add(new Probe(
                    vector == null ? Objects.requireNonNull(embedded.get(query.id())) : Vectors.normalized(vector),
                    query.label(),
                    null));
        }
        return probes;
    }

    private Embedder textModel(CollectionView collection) {
        if (embedder == null) {
            throw CollectionRefused.conflict(
                    "text-model-missing",
                    "Text queries need the text model, and retrieval does not run in this Warden");
        }
        if (!embedder.modelName().equals(collection.embeddingModel())
                || embedder.dimension() != collection.dimension()) {
            throw CollectionRefused.invalid(
                    "querySet",
                    "Collection " + collection.name() + " is embedded with " + collection.embeddingModel()
                            + "; this instance's text model is " + embedder.modelName()
                            + ": give its queries as vectors");
        }
        return embedder;
    }

    /** The texts' vectors; a text the model refuses is named by its line, one by one only when the batch fails. */
    private static List<float[]> embed(Embedder model, List<QuerySetLines.Query> slice) {
        try {
            return model.embed(slice.stream()
                    .map(query -> Objects.requireNonNull(query.text()))
                    .toList());
        } catch (EmbeddingRejected batch) {
            List<float[]> vectors = new ArrayList<>();
            for (QuerySetLines.Query query : slice) {
                try {
                    vectors.add(model.embed(List.of(Objects.requireNonNull(query.text())))
                            .getFirst());
                } catch (EmbeddingRejected e) {
                    throw CollectionRefused.invalid(
                            "querySet",
                            "Query set line " + query.line() + ": the text model refuses it: " + e.getMessage());
                }
            }
            return vectors;
        }
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

    /** The ids of the k items nearest the probe by exact inner product, its left-out item excepted. */
    private static List<String> exact(List<VectorRecord> items, Probe probe, int k) {
        PriorityQueue<Map.Entry<Double, String>> best = new PriorityQueue<>(Map.Entry.comparingByKey());
        float[] b = probe.vector();
        for (VectorRecord item : items) {
            if (item.id().equals(probe.leftOut())) {
                continue;
            }
            double score = 0;
            float[] a = item.vector();
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
