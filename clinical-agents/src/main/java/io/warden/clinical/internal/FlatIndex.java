package io.warden.clinical.internal;

import io.warden.clinical.IndexKind;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorIndex;
import io.warden.clinical.VectorRecord;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.lucene.util.VectorUtil;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Exact inner-product search over every vector, held in one contiguous array. Lucene's
 * {@link VectorUtil#dotProduct} uses the Vector API (SIMD) when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}, and plain Java otherwise. On disk (format 1, never edited):
 * {@code vectors.f32} (little-endian floats, row after row) and {@code records.ndjson} (id and metadata per row).
 */
final class FlatIndex implements VectorIndex {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String name;
    private final long version;
    private final int dimension;
    private final float[][] vectors;
    private final String[] ids;
    private final List<Map<String, String>> metadata;

    FlatIndex(String name, long version, int dimension, List<VectorRecord> records) {
        this.name = name;
        this.version = version;
        this.dimension = dimension;
        this.vectors = new float[records.size()][];
        this.ids = new String[records.size()];
        this.metadata = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            vectors[i] = records.get(i).vector().clone();
            ids[i] = records.get(i).id();
            metadata.add(records.get(i).metadata());
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public int size() {
        return ids.length;
    }

    @Override
    public IndexKind kind() {
        return IndexKind.FLAT;
    }

    @Override
    public List<SearchHit> search(float[] query, int k, Map<String, String> filter) {
        Searches.check(name, dimension, query, k);
        PriorityQueue<int[]> heap = new PriorityQueue<>(
                k + 1, (a, b) -> Float.compare(Float.intBitsToFloat(a[1]), Float.intBitsToFloat(b[1])));
        for (int i = 0; i < vectors.length; i++) {
            if (!filter.isEmpty() && !Searches.matches(metadata.get(i), filter)) {
                continue;
            }
            float score = VectorUtil.dotProduct(query, vectors[i]);
            if (heap.size() < k) {
                heap.add(new int[] {i, Float.floatToIntBits(score)});
            } else if (score > Float.intBitsToFloat(heap.peek()[1])) {
                heap.poll();
                heap.add(new int[] {i, Float.floatToIntBits(score)});
            }
        }
        List<SearchHit> hits = new ArrayList<>(heap.size());
        while (!heap.isEmpty()) {
            int[] top = heap.poll();
            hits.add(new SearchHit(ids[top[0]], Float.intBitsToFloat(top[1]), metadata.get(top[0])));
        }
        Collections.reverse(hits);
        return hits;
    }

    /**
     * Batched exact search: each stored vector is read once per block of queries and scored against all
     * of them while it is in cache, which turns a memory-bound scan into a compute-bound one. Blocks run
     * in parallel on the common pool.
     */
    @Override
    public List<List<SearchHit>> searchAll(List<float[]> queries, int k, Map<String, String> filter) {
        queries.forEach(query -> Searches.check(name, dimension, query, k));
        int block = 16;
        List<int[]> blocks = new ArrayList<>();
        for (int start = 0; start < queries.size(); start += block) {
            blocks.add(new int[] {start, Math.min(queries.size(), start + block)});
        }
        List<List<SearchHit>> results = new ArrayList<>(Collections.nCopies(queries.size(), List.of()));
        blocks.parallelStream().forEach(range -> {
            int n = range[1] - range[0];
            float[][] block_ = new float[n][];
            float[] threshold = new float[n];
            List<PriorityQueue<long[]>> heaps = new ArrayList<>(n);
            for (int q = 0; q < n; q++) {
                block_[q] = queries.get(range[0] + q);
                threshold[q] = Float.NEGATIVE_INFINITY;
                heaps.add(new PriorityQueue<>(
                        k + 1,
                        (a, b) -> Float.compare(Float.intBitsToFloat((int) a[1]), Float.intBitsToFloat((int) b[1]))));
            }
            for (int i = 0; i < vectors.length; i++) {
                if (!filter.isEmpty() && !Searches.matches(metadata.get(i), filter)) {
                    continue;
                }
                float[] vector = vectors[i];
                for (int q = 0; q < n; q++) {
                    float score = VectorUtil.dotProduct(block_[q], vector);
                    PriorityQueue<long[]> heap = heaps.get(q);
                    if (heap.size() < k) {
                        heap.add(new long[] {i, Float.floatToIntBits(score)});
                        if (heap.size() == k) {
                            threshold[q] = Float.intBitsToFloat((int) heap.peek()[1]);
                        }
                    } else if (score > threshold[q]) {
                        heap.poll();
                        heap.add(new long[] {i, Float.floatToIntBits(score)});
                        threshold[q] = Float.intBitsToFloat((int) heap.peek()[1]);
                    }
                }
            }
            for (int q = 0; q < n; q++) {
                List<SearchHit> hits = new ArrayList<>(k);
                PriorityQueue<long[]> heap = heaps.get(q);
                while (!heap.isEmpty()) {
                    long[] top = heap.poll();
                    hits.add(new SearchHit(
                            ids[(int) top[0]], Float.intBitsToFloat((int) top[1]), metadata.get((int) top[0])));
                }
                Collections.reverse(hits);
                synchronized (results) {
                    results.set(range[0] + q, hits);
                }
            }
        });
        return results;
    }

    void write(Path folder) throws IOException {
        try (OutputStream out = Files.newOutputStream(folder.resolve("vectors.f32"))) {
            ByteBuffer row = ByteBuffer.allocate(dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] vector : vectors) {
                row.clear();
                row.asFloatBuffer().put(vector);
                out.write(row.array());
            }
        }
        try (BufferedWriter out = Files.newBufferedWriter(folder.resolve("records.ndjson"), StandardCharsets.UTF_8)) {
            for (int i = 0; i < ids.length; i++) {
                out.write(JSON.writeValueAsString(Map.of("id", ids[i], "metadata", metadata.get(i))));
                out.write('\n');
            }
        }
    }

    static FlatIndex read(String name, long version, int dimension, Path folder) throws IOException {
        List<String> lines = Files.readAllLines(folder.resolve("records.ndjson"), StandardCharsets.UTF_8);
        List<VectorRecord> records = new ArrayList<>(lines.size());
        try (InputStream in = new BufferedInputStream(Files.newInputStream(folder.resolve("vectors.f32")))) {
            byte[] row = new byte[dimension * Float.BYTES];
            for (String line : lines) {
                new DataInputStream(in).readFully(row);
                float[] vector = new float[dimension];
                ByteBuffer.wrap(row)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(vector);
                JsonNode json = JSON.readTree(line);
                Map<String, String> metadata = new HashMap<>();
                json.path("metadata")
                        .properties()
                        .forEach(e -> metadata.put(e.getKey(), e.getValue().asString()));
                records.add(new VectorRecord(json.get("id").asString(), vector, metadata));
            }
        }
        return new FlatIndex(name, version, dimension, records);
    }
}
