package io.warden.clinical.cohort;

import java.util.List;
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

    /** The cohort builder's defaults: 10 neighbours, min_dist 0.5, seed 42, one thread. */
    public static Projection defaults() {
        return new Projection(10, 0.5f, 42, 1);
    }

    /** Two coordinates per vector, in input order. */
    public float[][] project(List<float[]> vectors) {
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
        float[][] data = vectors.toArray(new float[0][]);
        Umap umap = new Umap();
        umap.setNumberComponents(2);
        umap.setNumberNearestNeighbours(neighbours);
        umap.setMinDist(minDist);
        umap.setMetric("cosine");
        umap.setSeed(seed);
        umap.setThreads(threads);
        umap.setVerbose(false);
        return umap.fitTransform(data);
    }
}
