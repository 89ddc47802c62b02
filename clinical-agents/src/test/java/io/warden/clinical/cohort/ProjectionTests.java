package io.warden.clinical.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** UMAP with the cohort builder's parameters: the same input gives the same layout, and clusters stay apart. */
class ProjectionTests {

    private static List<float[]> twoClusters(int perCluster, int dimension) {
        Random random = new Random(7);
        List<float[]> vectors = new ArrayList<>();
        for (int cluster = 0; cluster < 2; cluster++) {
            for (int i = 0; i < perCluster; i++) {
                float[] v = new float[dimension];
                for (int d = 0; d < dimension; d++) {
                    v[d] = (float) (random.nextGaussian() * 0.05);
                }
                v[cluster] += 1; // each cluster around its own axis: cosine distance near 1 between clusters
                vectors.add(v);
            }
        }
        return vectors;
    }

    @Test
    void theSameVectorsGiveTheSameLayoutAndClustersStayApart() {
        List<float[]> vectors = twoClusters(40, 16);
        float[][] first = Projection.defaults().project(vectors);
        float[][] second = Projection.defaults().project(vectors);
        assertThat(first).hasDimensions(80, 2);
        assertThat(second).isDeepEqualTo(first);

        double within = 0;
        double between = 0;
        int pairsWithin = 0;
        int pairsBetween = 0;
        for (int i = 0; i < 80; i++) {
            for (int j = i + 1; j < 80; j++) {
                double d = Math.hypot(first[i][0] - first[j][0], first[i][1] - first[j][1]);
                if (i / 40 == j / 40) {
                    within += d;
                    pairsWithin++;
                } else {
                    between += d;
                    pairsBetween++;
                }
            }
        }
        assertThat(between / pairsBetween)
                .as("mean distance between clusters against within")
                .isGreaterThan(2 * within / pairsWithin);
    }

    @Test
    void repeatedVectorsAreProjectedOnceAndSpreadAroundTheirPlace() {
        List<float[]> vectors = new ArrayList<>(twoClusters(20, 16));
        for (int i = 0; i < 200; i++) {
            vectors.add(vectors.get(i % 3).clone()); // many series with the same summary, as real archives have
        }
        float[][] points = Projection.defaults().project(vectors);
        assertThat(points).hasNumberOfRows(240);
        Set<String> places = new HashSet<>();
        for (float[] point : points) {
            assertThat(Float.isFinite(point[0]) && Float.isFinite(point[1])).isTrue();
            places.add(point[0] + "," + point[1]);
        }
        assertThat(places).as("every copy visible").hasSize(240);
        double nearOwnPlace = Math.hypot(points[40][0] - points[0][0], points[40][1] - points[0][1]);
        double toOtherCluster = Math.hypot(points[20][0] - points[0][0], points[20][1] - points[0][1]);
        assertThat(nearOwnPlace).isLessThan(toOtherCluster);
    }

    @Test
    void moreDistinctPointsThanTheExactNeighbourSearchTakesAreProjectedToo() {
        List<float[]> vectors = twoClusters((Projection.EXACT_LIMIT + 200) / 2, 24);
        float[][] points = Projection.defaults().project(vectors);
        assertThat(points).hasNumberOfRows(vectors.size());
        for (float[] point : points) {
            assertThat(Float.isFinite(point[0]) && Float.isFinite(point[1])).isTrue();
        }
    }

    @Test
    void tooFewPointsForANeighbourGraphAreLaidOutOnACircle() {
        float[][] points = Projection.defaults().project(twoClusters(2, 8));
        assertThat(points).hasDimensions(4, 2);
        for (float[] point : points) {
            assertThat(Math.hypot(point[0], point[1])).isCloseTo(1.0, Offset.offset(1e-6));
        }
        assertThat(Projection.defaults().project(List.of())).isEmpty();
    }
}
