package io.warden.clinical.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.Evaluation;
import io.warden.clinical.IndexKind;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorRecord;
import io.warden.clinical.Vectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The same contract for both index kinds: results, filters, bad input, persistence, atomic replacement. */
class VectorCollectionsContractTests {

    @TempDir
    Path root;

    FileVectorCollections collections;

    @BeforeEach
    void open() {
        collections = new FileVectorCollections(root, 16, 100);
    }

    @AfterEach
    void close() {
        collections.close();
    }

    /** Unit vectors around {@code clusters} centres, labelled by cluster. */
    static List<VectorRecord> clustered(int count, int dimension, int clusters, long seed, Map<String, String> extra) {
        Random random = new Random(seed);
        float[][] centres = new float[clusters][dimension];
        for (float[] centre : centres) {
            for (int d = 0; d < dimension; d++) {
                centre[d] = (float) random.nextGaussian();
            }
        }
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int cluster = i % clusters;
            float[] v = new float[dimension];
            for (int d = 0; d < dimension; d++) {
                v[d] = centres[cluster][d] + 0.35f * (float) random.nextGaussian();
            }
            Map<String, String> metadata = new HashMap<>(extra);
            metadata.put("label", "c" + cluster);
            metadata.put("dataset", i % 2 == 0 ? "imaging-ct-deid" : "dermatology-phi");
            records.add(new VectorRecord("r" + i, Vectors.normalized(v), metadata));
        }
        return records;
    }

    @ParameterizedTest
    @EnumSource(IndexKind.class)
    void findsTheNearestAndFiltersByMetadata(IndexKind kind) {
        List<VectorRecord> records = clustered(600, 32, 6, 7, Map.of());
        collections.replace("wounds", kind, 32, records);
        float[] query = records.get(42).vector();
        List<SearchHit> hits = collections.search("wounds", query, 5, Map.of());
        assertThat(hits.getFirst().id()).isEqualTo("r42");
        assertThat(hits.getFirst().score()).isCloseTo(1f, Offset.offset(1e-4f));
        assertThat(hits).extracting(SearchHit::score).isSortedAccordingTo(Comparator.reverseOrder());
        List<SearchHit> filtered = collections.search("wounds", query, 10, Map.of("dataset", "imaging-ct-deid"));
        assertThat(filtered)
                .hasSize(10)
                .allSatisfy(hit -> assertThat(hit.metadata()).containsEntry("dataset", "imaging-ct-deid"));
        assertThat(collections.search("wounds", query, 10, Map.of("dataset", "dermatology-phi")))
                .hasSize(10)
                .noneSatisfy(hit -> assertThat(hit.id()).isEqualTo("r42"));
        assertThat(filtered).extracting(h -> h.metadata().get("label")).containsOnly("c0");
    }

    @ParameterizedTest
    @EnumSource(IndexKind.class)
    void badQueriesAreRefusedByName(IndexKind kind) {
        collections.replace("small", kind, 4, clustered(20, 4, 2, 1, Map.of()));
        assertThatThrownBy(() -> collections.search("small", new float[3], 5, Map.of()))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("wrong-dimension"));
        assertThatThrownBy(() -> collections.search("small", new float[] {1, Float.NaN, 0, 0}, 5, Map.of()))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("non-finite"));
        assertThatThrownBy(() -> collections.search("small", new float[] {1, 0, 0, 0}, 0, Map.of()))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("k-out-of-range"));
        assertThatThrownBy(() -> collections.search("nope", new float[] {1, 0, 0, 0}, 1, Map.of()))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("unknown-collection"));
        assertThatThrownBy(() ->
                        collections.replace("small", kind, 4, List.of(new VectorRecord("x", new float[3], Map.of()))))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("wrong-dimension"));
        assertThatThrownBy(() -> collections.replace("Bad Name", kind, 4, List.of()))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("invalid-name"));
    }

    @ParameterizedTest
    @EnumSource(IndexKind.class)
    void collectionsSurviveARestart(IndexKind kind) {
        List<VectorRecord> records = clustered(200, 16, 4, 3, Map.of());
        collections.replace("kept", kind, 16, records);
        collections.replace("kept", kind, 16, records.subList(0, 100));
        collections.close();
        collections = new FileVectorCollections(root, 16, 100);
        var reopened = collections.find("kept").orElseThrow();
        assertThat(reopened.version()).isEqualTo(2);
        assertThat(reopened.size()).isEqualTo(100);
        assertThat(reopened.kind()).isEqualTo(kind);
        assertThat(collections
                        .search("kept", records.get(7).vector(), 1, Map.of())
                        .getFirst()
                        .id())
                .isEqualTo("r7");
        assertThat(root.resolve("kept/v1")).doesNotExist();
    }

    @ParameterizedTest
    @EnumSource(IndexKind.class)
    void replacingUnderConcurrentSearchesNeverErrsOrMixesVersions(IndexKind kind) throws Exception {
        List<VectorRecord> records = clustered(300, 16, 3, 5, Map.of("generation", "0"));
        collections.replace("live", kind, 16, records);
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> generationsSeen = ConcurrentHashMap.newKeySet();
        List<Future<Integer>> searchers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int t = 0; t < 4; t++) {
                int thread = t;
                searchers.add(pool.submit(() -> {
                    int searches = 0;
                    while (!stop.get()) {
                        List<SearchHit> hits = collections.search(
                                "live",
                                records.get((thread * 31 + searches) % 300).vector(),
                                10,
                                Map.of());
                        assertThat(hits).hasSize(10);
                        Set<String> generations = new HashSet<>();
                        hits.forEach(hit -> generations.add(hit.metadata().get("generation")));
                        assertThat(generations).as("one version per search").hasSize(1);
                        generationsSeen.addAll(generations);
                        searches++;
                    }
                    return searches;
                }));
            }
            for (int generation = 1; generation <= 5; generation++) {
                collections.replace(
                        "live", kind, 16, clustered(300, 16, 3, 5, Map.of("generation", Integer.toString(generation))));
            }
            Thread.sleep(50);
            stop.set(true);
            for (Future<Integer> searcher : searchers) {
                assertThat(searcher.get(30, TimeUnit.SECONDS)).isPositive();
            }
        }
        assertThat(generationsSeen).contains("5");
        assertThat(collections.find("live").orElseThrow().version()).isEqualTo(6);
    }

    @ParameterizedTest
    @EnumSource(IndexKind.class)
    void batchedSearchEqualsOneByOne(IndexKind kind) {
        List<VectorRecord> records = clustered(500, 24, 5, 13, Map.of());
        var index = collections.replace("batched", kind, 24, records);
        List<float[]> queries =
                records.subList(0, 40).stream().map(VectorRecord::vector).toList();
        List<List<SearchHit>> batched = index.searchAll(queries, 7, Map.of("dataset", "imaging-ct-deid"));
        for (int q = 0; q < queries.size(); q++) {
            assertThat(batched.get(q))
                    .extracting(SearchHit::id)
                    .containsExactlyElementsOf(
                            index.search(queries.get(q), 7, Map.of("dataset", "imaging-ct-deid")).stream()
                                    .map(SearchHit::id)
                                    .toList());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = IndexKind.class,
            names = {"HNSW", "HNSW_INT8"})
    void hnswRecallAgainstExactSearchIsHigh(IndexKind kind) {
        List<VectorRecord> records = clustered(5000, 64, 50, 11, Map.of());
        collections.replace("exact", IndexKind.FLAT, 64, records);
        collections.replace("graph", kind, 64, records);
        Random random = new Random(99);
        List<List<String>> approximate = new ArrayList<>();
        List<List<String>> exact = new ArrayList<>();
        for (int q = 0; q < 100; q++) {
            float[] query = records.get(random.nextInt(records.size())).vector().clone();
            query[random.nextInt(64)] += 0.2f;
            float[] unit = Vectors.normalized(query);
            approximate.add(collections.search("graph", unit, 10, Map.of()).stream()
                    .map(SearchHit::id)
                    .toList());
            exact.add(collections.search("exact", unit, 10, Map.of()).stream()
                    .map(SearchHit::id)
                    .toList());
        }
        assertThat(Evaluation.recallAtK(approximate, exact, 10)).isGreaterThanOrEqualTo(0.95);
    }

    @ParameterizedTest
    @EnumSource(IndexKind.class)
    void aVersionBuiltByNumberIsServedOnlyWhenAskedAndTwoStoresOnOneFolderServeTheSameVersion(IndexKind kind) {
        collections.build("shared", 1, kind, 32, clustered(60, 32, 3, 1, Map.of()));
        assertThat(collections.find("shared")).as("built, not served").isEmpty();
        assertThat(collections.serve("shared", 1).size()).isEqualTo(60);

        try (FileVectorCollections other = new FileVectorCollections(root, 16, 100)) {
            collections.build("shared", 2, kind, 32, clustered(30, 32, 3, 2, Map.of()));
            assertThat(other.serve("shared", 2).size()).isEqualTo(30);
            assertThat(collections.find("shared").orElseThrow().version())
                    .as("each store switches when told")
                    .isEqualTo(1);
            assertThat(collections.serve("shared", 2).version()).isEqualTo(2);
            assertThat(other.search(
                            "shared",
                            clustered(1, 32, 3, 2, Map.of()).getFirst().vector(),
                            3,
                            Map.of()))
                    .hasSize(3);
        }
        assertThatThrownBy(() -> collections.build("shared", 2, kind, 32, clustered(5, 32, 3, 3, Map.of())))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("version-served"));
        assertThatThrownBy(() -> collections.serve("shared", 9))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("version-unavailable"));
        assertThat(collections.find("shared").orElseThrow().version()).isEqualTo(2);
    }
}
