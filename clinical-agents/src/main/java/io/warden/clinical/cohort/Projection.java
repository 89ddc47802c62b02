package io.warden.clinical.cohort;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tagbio.umap.Umap;

/**
 * Projects vectors to two dimensions with UMAP for the cohort explorer's scatter plot: cosine distance,
 * {@code n_neighbors} 10, {@code min_dist} 0.5 and a fixed seed by default, so the same run gives the same
 * picture. UMAP is Tagbio's Java port of the reference implementation (MIT licence, compatible with Warden's
 * Apache 2.0). Fewer points than UMAP needs for its neighbour graph are laid out on a circle instead.
 *
 * @param neighbours UMAP's {@code n_neighbors}
 * @param minDist    UMAP's {@code min_dist}
 * @param seed       the random seed
 * @param threads    threads for the neighbour search; 1 gives the same layout on every run
 */
public record Projection(int neighbours, float minDist, long seed, int threads) {

    public Projection {
        if (neighbours < 2) {
            throw new IllegalArgumentException("UMAP needs at least 2 neighbours, got " + neighbours);
        }
        if (minDist < 0) {
            throw new IllegalArgumentException("min_dist must not be negative, got " + minDist);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
    }

    /** Up to this many points Tagbio's UMAP computes all pairwise distances (as the reference implementation does). */
    static final int EXACT_LIMIT = 4096;

    private static float[] unit(float[] vector) {
        double norm = 0;
        for (float value : vector) {
            norm += value * value;
        }
        if (norm == 0) {
            return vector.clone();
        }
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = (float) (vector[i] / Math.sqrt(norm));
        }
        return unit;
    }

    /** The cohort builder's defaults: 10 neighbours, min_dist 0.5, seed 42, one thread. */
    public static Projection defaults() {
        return new Projection(10, 0.5f, 42, 1);
    }

    /**
     * Two coordinates per vector, in input order. Equal vectors (series with the same summary) are projected
     * once and share a place, spread by a small fixed offset so that each stays visible; UMAP's neighbour
     * search also needs distinct points.
     */
    public float[][] project(List<float[]> vectors) {
        Map<FloatBuffer, Integer> index = new LinkedHashMap<>();
        int[] of = new int[vectors.size()];
        List<float[]> distinct = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            FloatBuffer key = FloatBuffer.wrap(vectors.get(i));
            Integer at = index.get(key);
            if (at == null) {
                at = distinct.size();
                index.put(key, at);
                distinct.add(vectors.get(i));
            }
            of[i] = at;
        }
        float[][] placed = projectDistinct(distinct);
        float spread = spread(placed);
        int[] seen = new int[distinct.size()];
        float[][] points = new float[vectors.size()][];
        for (int i = 0; i < vectors.size(); i++) {
            float[] at = placed[of[i]];
            int nth = seen[of[i]]++;
            double angle = nth * 2.399963; // the golden angle: copies spiral out around their place
            double radius = spread * Math.sqrt(nth);
            points[i] =
                    new float[] {(float) (at[0] + radius * Math.cos(angle)), (float) (at[1] + radius * Math.sin(angle))
                    };
        }
        return points;
    }

    /** A hundredth of the layout's smaller extent, or of 1 for a single place. */
    private static float spread(float[][] placed) {
        if (placed.length < 2) {
            return 0.01f;
        }
        float minX = Float.MAX_VALUE, maxX = -Float.MAX_VALUE, minY = Float.MAX_VALUE, maxY = -Float.MAX_VALUE;
        for (float[] p : placed) {
            minX = Math.min(minX, p[0]);
            maxX = Math.max(maxX, p[0]);
            minY = Math.min(minY, p[1]);
            maxY = Math.max(maxY, p[1]);
        }
        return Math.max(1e-4f, Math.min(maxX - minX, maxY - minY) / 100);
    }

    private float[][] projectDistinct(List<float[]> vectors) {
        int n = vectors.size();
        if (n <= neighbours + 1) {
            float[][] circle = new float[n][2];
            for (int i = 0; i < n; i++) {
                double angle = 2 * Math.PI * i / Math.max(1, n);
                circle[i][0] = (float) Math.cos(angle);
                circle[i][1] = (float) Math.sin(angle);
            }
            return circle;
        }
        float[][] data = new float[n][];
        for (int i = 0; i < n; i++) {
            data[i] = unit(vectors.get(i));
        }
        Umap umap = new Umap();
        umap.setNumberComponents(2);
        umap.setNumberNearestNeighbours(neighbours);
        umap.setMinDist(minDist);
        // Up to EXACT_LIMIT points the port finds neighbours from exact cosine distances. Above it, it builds a
        // random-projection forest, whose angular variant (the one cosine selects) fails in this port; on unit
        // vectors Euclidean distance orders neighbours exactly as cosine does (d^2 = 2 - 2 cos), so it is used there.
        umap.setMetric(n <= EXACT_LIMIT ? "cosine" : "euclidean");
        umap.setSeed(seed);
        umap.setThreads(threads);
        umap.setVerbose(false);
        return umap.fitTransform(data);
    }
}
