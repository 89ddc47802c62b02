package io.warden.bench;

import io.warden.clinical.Evaluation;
import io.warden.clinical.IndexKind;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorIndex;
import io.warden.clinical.VectorRecord;
import io.warden.clinical.Vectors;
import io.warden.clinical.internal.FileVectorCollections;
import io.warden.clinical.internal.OnnxTextEmbedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.lucene.util.VectorUtil;
import org.jspecify.annotations.Nullable;

/**
 * Load driver for the retrieval service. Run with {@code --add-modules jdk.incubator.vector} so Lucene
 * uses SIMD. Measures:
 * <ul>
 *   <li>text embedding with all-MiniLM-L6-v2 on ONNX Runtime: short radiology sentences, batch 32;</li>
 *   <li>HNSW over 100,000 × 384 clustered unit vectors: build time, single-thread queries per second and
 *       recall@10 against exact search;</li>
 *   <li>exact (flat) search over the same vectors, batched queries per second.</li>
 * </ul>
 * Prints JSON with {@code embed_sentences_per_s}, {@code hnsw_qps_100k_384}, {@code hnsw_recall10_100k_384},
 * {@code flat_qps_100k_384}.
 */
public final class RetrievalBench {

    static final String[] WORDS = {
        "CT",
        "MRI",
        "chest",
        "abdomen",
        "pelvis",
        "brain",
        "axial",
        "coronal",
        "sagittal",
        "contrast",
        "without",
        "with",
        "lesion",
        "nodule",
        "fracture",
        "effusion",
        "left",
        "right",
        "lower",
        "upper",
        "lobe",
        "liver",
        "kidney",
        "lung",
        "T1",
        "T2",
        "FLAIR",
        "enhancing",
        "mass",
        "cyst",
        "follow-up",
        "no",
        "acute"
    };

    public static void main(String[] args) throws Exception {
        Map<String, Object> results = new LinkedHashMap<>();
        int threads = Runtime.getRuntime().availableProcessors();
        results.put("cores", threads);
        if (args.length > 0 && args[0].equals("--million")) {
            million(
                    results,
                    args.length > 2 && args[1].equals("--reuse") ? Path.of(args[2]) : null,
                    args.length > 4 && args[3].equals("--candidates")
                            ? Arrays.stream(args[4].split(","))
                                    .mapToInt(Integer::parseInt)
                                    .toArray()
                            : new int[] {50, 100, 200});
        } else {
            embed(results, threads);
            search(results);
        }
        System.out.println(results.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\": " + e.getValue())
                .collect(Collectors.joining(", ", "{", "}")));
    }

    static void embed(Map<String, Object> results, int threads) throws Exception {
        Random random = new Random(1);
        List<String> sentences = new ArrayList<>();
        for (int i = 0; i < 3200; i++) {
            StringBuilder sentence = new StringBuilder();
            int words = 5 + random.nextInt(8);
            for (int w = 0; w < words; w++) {
                sentence.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            }
            sentences.add(sentence.toString());
        }
        var settings = new OnnxTextEmbedder.Settings("all-MiniLM-L6-v2", 32, 10_000, threads, false);
        try (OnnxTextEmbedder quantized = OnnxTextEmbedder.miniLmQuantized(settings);
                OnnxTextEmbedder full = OnnxTextEmbedder.miniLm(settings)) {
            results.put("embed_batch", 32);
            results.put("embed_sentences_per_s", Math.round(rate(quantized, sentences)));
            results.put("embed_full_model_sentences_per_s", Math.round(rate(full, sentences)));
            results.put("embed_provider", "\"" + quantized.executionProvider() + "\"");
        }
    }

    static double rate(OnnxTextEmbedder embedder, List<String> sentences) {
        embedder.embed(sentences.subList(0, 320));
        List<Double> rates = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            long start = System.nanoTime();
            embedder.embed(sentences);
            rates.add(sentences.size() / ((System.nanoTime() - start) / 1e9));
        }
        return median(rates);
    }

    static void search(Map<String, Object> results) throws Exception {
        int dimension = 384;
        Random random = new Random(7);
        List<VectorRecord> records = clustered(100_000, dimension, 1000, random);
        List<float[]> queries = perturbed(records, 2000, random);
        Path root = Files.createTempDirectory("warden-retrieval-bench");
        try (FileVectorCollections collections = new FileVectorCollections(root, 16, 100)) {
            long start = System.nanoTime();
            VectorIndex flat = collections.replace("flat", IndexKind.FLAT, dimension, records);
            results.put("flat_build_s", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
            start = System.nanoTime();
            VectorIndex hnsw = collections.replace("hnsw", IndexKind.HNSW, dimension, records);
            results.put("hnsw_build_s", Math.round((System.nanoTime() - start) / 1e7) / 100.0);

            List<float[]> exactQueries = queries.subList(0, 400);
            flat.searchAll(exactQueries.subList(0, 64), 10, Map.of());
            start = System.nanoTime();
            List<List<SearchHit>> exact = flat.searchAll(exactQueries, 10, Map.of());
            results.put("flat_qps_100k_384", Math.round(exactQueries.size() / ((System.nanoTime() - start) / 1e9)));

            List<List<String>> truth = exact.stream()
                    .map(hits -> hits.stream().map(SearchHit::id).toList())
                    .toList();
            for (int candidates : new int[] {10, 50, 100, 200}) {
                try (FileVectorCollections reopened = new FileVectorCollections(root, 16, 100, candidates)) {
                    VectorIndex graph = reopened.find("hnsw").orElseThrow();
                    for (int i = 0; i < 500; i++) {
                        graph.search(queries.get(i), 10, Map.of());
                    }
                    List<Double> rates = new ArrayList<>();
                    for (int run = 0; run < 3; run++) {
                        long begin = System.nanoTime();
                        for (float[] query : queries) {
                            graph.search(query, 10, Map.of());
                        }
                        rates.add(queries.size() / ((System.nanoTime() - begin) / 1e9));
                    }
                    List<List<String>> approximate = new ArrayList<>();
                    for (float[] query : exactQueries) {
                        approximate.add(graph.search(query, 10, Map.of()).stream()
                                .map(SearchHit::id)
                                .toList());
                    }
                    double recall = Math.round(Evaluation.recallAtK(approximate, truth, 10) * 10000) / 10000.0;
                    results.put("hnsw_ef" + candidates + "_qps", Math.round(median(rates)));
                    results.put("hnsw_ef" + candidates + "_recall10", recall);
                    if (candidates == 100) {
                        results.put("hnsw_qps_100k_384", Math.round(median(rates)));
                        results.put("hnsw_recall10_100k_384", recall);
                    }
                }
            }
        }
    }

    /** 1,000,000 × 512 on HNSW: build time, size, heap, and speed at recall@10 ≥ 0.95 against exact search. */
    /**
     * @param reuse an index folder a previous run built (same seed, same vectors), to measure other
     *              search settings without building again; null to build
     */
    static void million(Map<String, Object> results, @Nullable Path reuse, int[] candidateCounts) throws Exception {
        int dimension = 512;
        Random random = new Random(17);
        List<VectorRecord> records = clustered(1_000_000, dimension, 5000, random);
        List<float[]> queries = perturbed(records, 100, random);
        List<List<String>> truth = new ArrayList<>();
        for (float[] query : queries) {
            PriorityQueue<Object[]> heap = new PriorityQueue<>((a, b) -> Float.compare((float) a[1], (float) b[1]));
            for (VectorRecord record : records) {
                float score = VectorUtil.dotProduct(query, record.vector());
                if (heap.size() < 10) {
                    heap.add(new Object[] {record.id(), score});
                } else if (score > (float) heap.peek()[1]) {
                    heap.poll();
                    heap.add(new Object[] {record.id(), score});
                }
            }
            List<String> ids = new ArrayList<>();
            while (!heap.isEmpty()) {
                ids.add(0, (String) heap.poll()[0]);
            }
            truth.add(ids);
        }
        Path root = reuse != null ? reuse : Files.createTempDirectory("warden-retrieval-million");
        if (reuse == null) {
            long start = System.nanoTime();
            try (FileVectorCollections collections = new FileVectorCollections(root, 16, 100)) {
                collections.replace("million", IndexKind.HNSW, dimension, records);
            }
            results.put("hnsw_1m_512_build_s", Math.round((System.nanoTime() - start) / 1e9));
        }
        long bytes;
        try (var files = Files.walk(root)) {
            bytes = files.filter(Files::isRegularFile)
                    .mapToLong(path -> path.toFile().length())
                    .sum();
        }
        results.put("hnsw_1m_512_index_mb", bytes / (1024 * 1024));
        records.clear();
        System.gc();
        for (int candidates : candidateCounts) {
            try (FileVectorCollections collections = new FileVectorCollections(root, 16, 100, candidates)) {
                VectorIndex index = collections.find("million").orElseThrow();
                for (float[] query : queries) {
                    index.search(query, 10, Map.of());
                }
                long begin = System.nanoTime();
                List<List<String>> approximate = new ArrayList<>();
                for (int pass = 0; pass < 5; pass++) {
                    for (float[] query : queries) {
                        List<String> ids = index.search(query, 10, Map.of()).stream()
                                .map(SearchHit::id)
                                .toList();
                        if (pass == 0) {
                            approximate.add(ids);
                        }
                    }
                }
                double qps = 5.0 * queries.size() / ((System.nanoTime() - begin) / 1e9);
                results.put("hnsw_1m_512_ef" + candidates + "_qps", Math.round(qps));
                results.put(
                        "hnsw_1m_512_ef" + candidates + "_recall10",
                        Math.round(Evaluation.recallAtK(approximate, truth, 10) * 1000) / 1000.0);
            }
        }
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        results.put("heap_used_mb_searching", (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024));
    }

    /** Unit vectors around Gaussian centres (noise σ 0.6), as clustered as real embeddings tend to be. */
    static List<VectorRecord> clustered(int count, int dimension, int centreCount, Random random) {
        float[][] centres = new float[centreCount][dimension];
        for (float[] centre : centres) {
            for (int d = 0; d < dimension; d++) {
                centre[d] = (float) random.nextGaussian();
            }
        }
        List<VectorRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] v = new float[dimension];
            float[] centre = centres[random.nextInt(centres.length)];
            for (int d = 0; d < dimension; d++) {
                v[d] = centre[d] + 0.6f * (float) random.nextGaussian();
            }
            records.add(new VectorRecord("v" + i, Vectors.normalized(v), Map.of()));
        }
        return records;
    }

    /** Queries near stored vectors: copies with a little noise (σ 0.05), normalised. */
    static List<float[]> perturbed(List<VectorRecord> records, int count, Random random) {
        List<float[]> queries = new ArrayList<>(count);
        for (int q = 0; q < count; q++) {
            float[] v = records.get(random.nextInt(records.size())).vector().clone();
            for (int d = 0; d < v.length; d++) {
                v[d] += 0.05f * (float) random.nextGaussian();
            }
            queries.add(Vectors.normalized(v));
        }
        return queries;
    }

    static double median(List<Double> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }
}
